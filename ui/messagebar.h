#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace cachescope {

// Inline error/warning strip at the top of a page (STYLE.md §5.15: errors inline, not modal).
class MessageBar : public QFrame
{
    Q_OBJECT
public:
    enum class Level { Information, Warning, Error };
    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(const QString &text, Level level = Level::Error);
    QString text() const;

private:
    QLabel *m_label;
    QToolButton *m_close;
};

} // namespace cachescope
