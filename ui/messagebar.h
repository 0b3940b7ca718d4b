#pragma once

#include <QFrame>
#include <QList>

class QLabel;
class QToolButton;

namespace cachescope {

// Inline error/warning strip at the top of a page (STYLE.md §5.15: errors inline, not modal).
// A message may name its cause ("server:redis://…", "keys:connection"): the code that knows the
// cause is gone withdraws it, so a banner never outlives what it reports. Several causes can be
// pending; the newest is shown with a count of the others, and closing it shows the next one.
// A message without a cause replaces the previous message without a cause.
class MessageBar : public QFrame
{
    Q_OBJECT
public:
    enum class Level { Information, Warning, Error };
    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(const QString &text, Level level = Level::Error, const QString &cause = {});
    // Removes the message of this cause (if any); shows the next pending one or hides.
    void withdraw(const QString &cause);
    // Removes every message whose cause starts with prefix.
    void withdrawAll(const QString &causePrefix);
    void clear();
    bool hasMessage(const QString &cause) const;
    // The message shown (the newest pending one), empty when none.
    QString text() const;
    QString cause() const;
    int pendingCount() const { return int(m_messages.size()); }

private:
    struct Message
    {
        QString cause;
        QString text;
        Level level = Level::Error;
    };
    void showNewest();
    void dismissShown();

    QList<Message> m_messages; // oldest first
    QLabel *m_label;
    QLabel *m_more;
    QToolButton *m_close;
};

} // namespace cachescope
