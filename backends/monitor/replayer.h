#pragma once

#include "common/expected.h"
#include "hitratesample.h"

#include <QObject>
#include <QString>

#include <variant>
#include <vector>

class QTimer;

namespace cachescope {

using RecordedSample = std::variant<HitRateSample, ServerSample>;

// Replays a Recorder file: emits the same samples with their recorded timestamps, paced at
// `speed` times real time (speed <= 0: as fast as the event loop allows).
class Replayer : public QObject
{
    Q_OBJECT
public:
    explicit Replayer(QObject *parent = nullptr);
    ~Replayer() override;

    // Reads the whole recording (all samples in time order, ties in recording order).
    static Expected<std::vector<RecordedSample>> load(const QString &path);

    Expected<bool> open(const QString &path);
    void start(double speed = 1.0);
    void stop();
    bool isRunning() const;
    qsizetype sampleCount() const { return qsizetype(m_samples.size()); }
    qsizetype position() const { return m_next; }

Q_SIGNALS:
    void hitSample(const cachescope::HitRateSample &sample);
    void serverSample(const cachescope::ServerSample &sample);
    void finished();

private:
    void emitDue();
    qint64 timestampOf(qsizetype i) const;

    std::vector<RecordedSample> m_samples;
    qsizetype m_next = 0;
    double m_speed = 1.0;
    qint64 m_startWallMs = 0;
    QTimer *m_timer;
};

} // namespace cachescope
