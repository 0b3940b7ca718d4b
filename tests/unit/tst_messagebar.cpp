// The inline banner: messages carry their cause so whoever knows the cause is gone withdraws them.
#include "messagebar.h"

#include <QTest>
#include <QToolButton>

using namespace cachescope;

class tst_MessageBar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldWithdrawAMessageWhenItsCauseIsGone()
    {
        QWidget window;
        MessageBar bar(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!bar.isVisible());
        // Given two servers that cannot be reached
        bar.showMessage(QStringLiteral("cannot connect to A"), MessageBar::Level::Error, QStringLiteral("server:A"));
        bar.showMessage(QStringLiteral("cannot connect to B"), MessageBar::Level::Error, QStringLiteral("server:B"));
        QVERIFY(bar.isVisible());
        QCOMPARE(bar.text(), QStringLiteral("cannot connect to B")); // the newest is shown
        QCOMPARE(bar.pendingCount(), 2);
        // When B answers again, A's message is shown; when A answers too, the bar goes
        bar.withdraw(QStringLiteral("server:B"));
        QCOMPARE(bar.text(), QStringLiteral("cannot connect to A"));
        QVERIFY(bar.isVisible());
        bar.withdraw(QStringLiteral("server:A"));
        QVERIFY(!bar.isVisible());
        QVERIFY(bar.text().isEmpty());
        // Withdrawing a cause that has no message changes nothing
        bar.showMessage(QStringLiteral("plain"));
        bar.withdraw(QStringLiteral("server:A"));
        QCOMPARE(bar.text(), QStringLiteral("plain"));
    }

    void shouldKeepOneMessagePerCause()
    {
        MessageBar bar;
        bar.showMessage(QStringLiteral("first"));
        bar.showMessage(QStringLiteral("second")); // no cause: replaces the earlier message without one
        QCOMPARE(bar.pendingCount(), 1);
        bar.showMessage(QStringLiteral("A down"), MessageBar::Level::Warning, QStringLiteral("keys:connection"));
        bar.showMessage(QStringLiteral("A down, still"), MessageBar::Level::Warning, QStringLiteral("keys:connection"));
        QCOMPARE(bar.pendingCount(), 2);
        QCOMPARE(bar.text(), QStringLiteral("A down, still"));
        bar.showMessage(QStringLiteral("scan failed"), MessageBar::Level::Error, QStringLiteral("keys:connection:scan"));
        QVERIFY(bar.hasMessage(QStringLiteral("keys:connection:scan")));
        // A prefix withdraws every message of that family and nothing else
        bar.withdrawAll(QStringLiteral("keys:connection"));
        QCOMPARE(bar.pendingCount(), 1);
        QCOMPARE(bar.text(), QStringLiteral("second"));
    }

    void shouldShowTheNextMessageWhenOneIsDismissed()
    {
        QWidget window;
        MessageBar bar(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        bar.showMessage(QStringLiteral("older"), MessageBar::Level::Error, QStringLiteral("a"));
        bar.showMessage(QStringLiteral("newer"), MessageBar::Level::Information, QStringLiteral("b"));
        auto *close = bar.findChild<QToolButton *>();
        QVERIFY(close);
        close->click();
        QVERIFY(bar.isVisible());
        QCOMPARE(bar.text(), QStringLiteral("older"));
        close->click();
        QVERIFY(!bar.isVisible());
        QCOMPARE(bar.pendingCount(), 0);
    }
};

QTEST_MAIN(tst_MessageBar)
#include "tst_messagebar.moc"
