#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QList>
#include <QPair>

namespace cachescope {

// One statsd line: name:value|type[|@rate][|#tag:v,tag2] (Etsy statsd + DogStatsD tags).
struct StatsdMetric
{
    enum class Type { Counter, Timer, Gauge, Histogram, Set, Distribution };
    QByteArray name;
    Type type = Type::Counter;
    double value = 0;
    bool relativeGauge = false; // "+3"/"-3" for a gauge: change, not a new value
    double sampleRate = 1.0;    // counters are scaled by 1/sampleRate by the receiver
    QList<QPair<QByteArray, QByteArray>> tags;
    bool operator==(const StatsdMetric &) const = default;

    // One line; the error says why it is malformed. Bounded work on hostile input.
    static Expected<StatsdMetric> parse(const QByteArray &line);
    // A datagram holds lines separated by '\n'; empty lines are skipped.
    static QList<Expected<StatsdMetric>> parseDatagram(const QByteArray &datagram);
};

} // namespace cachescope
