#include "messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace cachescope {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_more(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_more->hide();
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    m_close->setAccessibleName(tr("Dismiss the message"));
    setAccessibleName(tr("Messages"));
    setAccessibleDescription(tr("Errors and warnings about what the page shows; the newest first"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_more);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &MessageBar::dismissShown);
    hide();
}

void MessageBar::showMessage(const QString &text, Level level, const QString &cause)
{
    // A cause has one message: the new text replaces the old one and becomes the newest.
    m_messages.removeIf([&](const Message &m) { return m.cause == cause; });
    m_messages.append(Message{cause, text, level});
    showNewest();
}

void MessageBar::withdraw(const QString &cause)
{
    if (m_messages.removeIf([&](const Message &m) { return m.cause == cause; }))
        showNewest();
}

void MessageBar::withdrawAll(const QString &causePrefix)
{
    if (m_messages.removeIf([&](const Message &m) { return !m.cause.isEmpty() && m.cause.startsWith(causePrefix); }))
        showNewest();
}

void MessageBar::clear()
{
    m_messages.clear();
    showNewest();
}

bool MessageBar::hasMessage(const QString &cause) const
{
    for (const Message &m : m_messages)
        if (m.cause == cause)
            return true;
    return false;
}

QString MessageBar::text() const
{
    return m_messages.isEmpty() ? QString() : m_messages.last().text;
}

QString MessageBar::cause() const
{
    return m_messages.isEmpty() ? QString() : m_messages.last().cause;
}

void MessageBar::dismissShown()
{
    if (!m_messages.isEmpty())
        m_messages.removeLast();
    showNewest();
}

void MessageBar::showNewest()
{
    if (m_messages.isEmpty()) {
        m_label->clear();
        hide();
        return;
    }
    const Message &m = m_messages.last();
    const char *colour = m.level == Level::Error ? "#f8d7da" : m.level == Level::Warning ? "#fff3cd" : "#d1ecf1";
    setStyleSheet(QStringLiteral("cachescope--MessageBar { background: %1; border-radius: 4px; } QLabel { color: #212529; }")
                      .arg(QLatin1String(colour)));
    m_label->setText(m.text);
    const qsizetype others = m_messages.size() - 1;
    m_more->setVisible(others > 0);
    m_more->setText(tr("(+%n more)", nullptr, int(others)));
    show();
}

} // namespace cachescope
