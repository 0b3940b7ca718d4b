// The Timeouts page as a user sees it, offscreen: the window's demo with its own metadata database
// (`cachescope --page timeouts`), the chain explained, edits refused while locked and written
// after the unlock (the metadata database in one transaction, the config file atomically, undone
// byte for byte), and the audit of the demo's chart-data cache. CACHESCOPE_SCREENSHOT_TIMEOUTS=
// /path.png saves the window.
#include "checkok.h"
#include "commandline.h"
#include "configpage.h"
#include "configsession.h"
#include "mainwindow.h"
#include "timeoutauditmodel.h"
#include "timeoutfilterproxy.h"
#include "timeoutmodel.h"
#include "timeoutspage.h"
#include "window.h"

#include "cache/cachemanager.h"
#include "config/configeditor.h"
#include "config/configloader.h"
#include "config/configreport.h"
#include "demo/demoenvironment.h"
#include "demo/demoworkload.h"
#include "windowtesting.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTabWidget>
#include <QTreeView>

using namespace cachescope;

namespace {

TimeoutsPage *timeoutsPage(const WindowSession &s)
{
    return qobject_cast<TimeoutsPage *>(s.window->page(MainWindow::Page::Timeouts));
}

bool loaded(TimeoutsPage *page)
{
    return page->model()->hasSnapshot() && !page->model()->isResolving();
}

QModelIndex proxyIndex(TimeoutsPage *page, MetadataKind kind, qint64 id)
{
    return page->proxy()->mapFromSource(page->model()->indexOf(kind, id));
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_TimeoutsPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoWindowShowsTheChain()
    {
        auto s = test::openWindowWith({QStringLiteral("--page"), QStringLiteral("timeouts")});
        QVERIFY(s && s->demo);
        s->demo->workload().stop(); // the page is checked on a still cache
        TimeoutsPage *page = timeoutsPage(*s);
        QVERIFY(page);
        QVERIFY(page->isVisibleTo(s->window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(loaded(page), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(page->statusText().contains(QStringLiteral("16 charts")), 10000);
        QVERIFY2(page->statusText().contains(QStringLiteral("4.1")), qPrintable(page->statusText()));
        QVERIFY2(page->statusText().contains(QStringLiteral("read-only")), qPrintable(page->statusText()));

        // The demo's chart 3 has a 0, which 4.1 treats as falsy: the detail says so step by step.
        const QModelIndex chart3 = proxyIndex(page, MetadataKind::Chart, 3);
        QVERIFY(chart3.isValid());
        page->tree()->setCurrentIndex(chart3);
        QVERIFY2(page->detailText().contains(QStringLiteral("Top products")), qPrintable(page->detailText()));
        QVERIFY2(page->detailText().contains(QStringLiteral("600")), qPrintable(page->detailText()));
        QVERIFY(page->detailText().contains(u'⚠'));

        // The audit of the demo's SimpleCache: one entry per chart written as the workload does.
        const CacheManager::Handle data = s->demo->manager().handle(CachePurpose::Data);
        {
            const auto lock = data.lock();
            QVERIFY(data.cache->clear());
            for (int chart : {0, 3, 6}) {
                const QByteArray key = DemoWorkload::chartDataKey(chart, 1);
                CHECK_OK(data.cache->set(key, DemoWorkload::chartPayload(chart, 1, key, 120), qint64(120)));
            }
        }
        QSignalSpy audited(page, &TimeoutsPage::auditFinished);
        page->runAudit();
        QVERIFY(audited.wait(30000));
        QVERIFY2(page->auditModel()->rowCount() == 3, qPrintable(page->auditText()));
        // sales_0's dataset gives 120 as written; sales_3's now gets its database's 3600, and
        // sales_6's database has a falsy 0, so 4.1 hands DATA_CACHE_CONFIG's 600.
        QCOMPARE(page->auditModel()->report().matches, 1);
        QCOMPARE(page->auditModel()->report().mismatches, 2);
        QCOMPARE(page->auditModel()->index(0, 0).data(TimeoutAuditModel::StatusRole).toInt(), int(AuditStatus::Mismatch));

        const QString shot = qEnvironmentVariable("CACHESCOPE_SCREENSHOT_TIMEOUTS");
        if (!shot.isEmpty()) {
            page->tree()->setCurrentIndex(proxyIndex(page, MetadataKind::Chart, 3));
            s->window->show();
            QVERIFY(QTest::qWaitForWindowExposed(s->window.get()));
            QVERIFY(s->window->grab().save(shot));
            const QString audit = QString(shot).replace(QStringLiteral(".png"), QStringLiteral("-audit.png"));
            page->findChild<QTabWidget *>()->setCurrentIndex(1);
            QVERIFY(s->window->grab().save(audit));
        }
    }

    void metadataEditNeedsTheUnlock()
    {
        auto s = test::openWindowWith({QStringLiteral("--page"), QStringLiteral("timeouts")});
        QVERIFY(s && s->demo);
        s->demo->workload().stop();
        TimeoutsPage *page = timeoutsPage(*s);
        QTRY_VERIFY_WITH_TIMEOUT(loaded(page), 30000);

        // The preview: dataset 4 reaches chart 5, whose 3600 (database) becomes the dataset's 300.
        QString error;
        const QString preview = page->previewMetadataEdit(MetadataKind::Dataset, 4, 300, &error);
        QVERIFY2(preview.contains(QStringLiteral("chart 5 \"Warehouse stock\": 3600 s (database) → 300 s (dataset)")),
                 qPrintable(preview));
        QVERIFY(page->previewMetadataEdit(MetadataKind::Dataset, 4, -7, &error).isEmpty());
        QVERIFY(!error.isEmpty());

        // Locked: refused with a message naming the database, nothing written.
        QSignalSpy errors(page, &TimeoutsPage::errorOccurred);
        QVERIFY(!page->confirmMetadataEdit(MetadataKind::Dataset, 4, 300));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains(QStringLiteral("read-only")));

        // Unlocked for this connection: one transaction, the tree updated in place.
        QSignalSpy resets(page->model(), &QAbstractItemModel::modelReset);
        page->setWritesAllowed(true);
        QTRY_VERIFY_WITH_TIMEOUT(page->metadataWorker()->writesEnabled(), 10000);
        QSignalSpy changed(page, &TimeoutsPage::metadataChanged);
        QVERIFY(page->confirmMetadataEdit(MetadataKind::Dataset, 4, 300));
        QVERIFY(changed.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->indexOf(MetadataKind::Chart, 5).data(TimeoutModel::EffectiveRole).toLongLong(),
                                  300, 10000);
        QCOMPARE(resets.count(), 0);
        QVERIFY(page->statusText().contains(QStringLiteral("Written")));

        // Reloading reads the committed value back from the file.
        page->openMetadata(QStringLiteral("sqlite:///") + s->demo->metadataFile());
        QVERIFY(!page->writesAllowed()); // a new connection starts locked
        QTRY_VERIFY_WITH_TIMEOUT(loaded(page), 30000);
        QCOMPARE(page->model()->indexOf(MetadataKind::Dataset, 4).data(TimeoutModel::OwnRole).toLongLong(), 300);
    }

    void configEditPreviewWriteUndo()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        const QByteArray original = "# keep me\nCACHE_DEFAULT_TIMEOUT = 300  # five minutes\n"
                                    "DATA_CACHE_CONFIG = {\n    'CACHE_TYPE': 'SimpleCache',\n"
                                    "    'CACHE_DEFAULT_TIMEOUT': 60 * 10,\n}\n";
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(original);
        }
        TimeoutsPage page;
        ConfigLoader::Options options;
        page.setConfigReport(ConfigLoader::loadFile(path, options), options);
        QTRY_VERIFY_WITH_TIMEOUT(!page.model()->isResolving(), 10000);
        const QModelIndex data = page.model()->indexOfCache(CachePurpose::Data, TimeoutModel::OwnColumn);
        QCOMPARE(data.data().toString(), QStringLiteral("600"));

        QSignalSpy planned(&page, &TimeoutsPage::configEditPlanned);
        QSignalSpy written(&page, &TimeoutsPage::configFileWritten);
        QSignalSpy errors(&page, &TimeoutsPage::errorOccurred);
        page.planConfigEdit(CachePurpose::Data, 900);
        QVERIFY(planned.wait(10000));
        QVERIFY(page.plannedConfigEdit());
        QVERIFY2(page.plannedConfigEdit()->diff.contains(QStringLiteral("+    'CACHE_DEFAULT_TIMEOUT': 900,")),
                 qPrintable(page.plannedConfigEdit()->diff));
        // Locked: the file is untouched.
        page.confirmConfigEdit();
        QCOMPARE(errors.count(), 1);
        QCOMPARE(readAll(path), original);

        page.setWritesAllowed(true);
        page.planConfigEdit(CachePurpose::Data, 900);
        QVERIFY(planned.wait(10000));
        page.confirmConfigEdit();
        QVERIFY(written.wait(10000));
        QByteArray expected = original;
        expected.replace("60 * 10", "900");
        QCOMPARE(readAll(path), expected); // every other byte the same
        QVERIFY(page.canUndoConfigEdit());

        page.undoConfigEdit();
        QVERIFY(written.wait(10000));
        QCOMPARE(readAll(path), original);
        QVERIFY(!page.canUndoConfigEdit());

        // A value from the environment is refused, naming the variable.
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("import os\nDATA_CACHE_CONFIG = {'CACHE_TYPE': 'SimpleCache',\n"
                    "    'CACHE_DEFAULT_TIMEOUT': int(os.environ.get('DATA_TTL', '300'))}\n");
        }
        page.setConfigReport(ConfigLoader::loadFile(path, options), options);
        page.planConfigEdit(CachePurpose::Data, 60);
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 2, 10000);
        QVERIFY2(errors.last().first().toString().contains(QStringLiteral("DATA_TTL")), qPrintable(errors.last().first().toString()));
    }
};

QTEST_MAIN(tst_TimeoutsPage)
#include "tst_timeoutspage.moc"
