#pragma once

#include "mainwindow.h"

#include <QDialog>
#include <QList>
#include <QPointer>

class QLabel;
class QPushButton;

namespace cachescope {

// Help → Guided tour of the demo: a small non-modal dialog beside the window that walks its
// pages in list order, one step per page, showing each page as it explains it (what the page
// answers, and which demo knob to turn to see it move). Pages it has no words for (one added
// later) are still visited, with the page's accessible description. Back/Next, Esc closes.
class GuidedTour : public QDialog
{
    Q_OBJECT
public:
    explicit GuidedTour(MainWindow *window);

    int stepCount() const { return int(m_pages.size()); }
    int step() const { return m_step; }
    MainWindow::Page stepPage() const { return m_pages.value(m_step); }
    QString stepText() const;
    // Shows step `index` (clamped) and its page in the window.
    void goToStep(int index);
    void next();
    void back();

private:
    QPointer<MainWindow> m_window;
    QList<MainWindow::Page> m_pages;
    int m_step = -1;
    QLabel *m_heading;
    QLabel *m_text;
    QPushButton *m_back;
    QPushButton *m_next;
};

} // namespace cachescope
