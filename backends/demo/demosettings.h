#pragma once

#include "common/expected.h"

#include <QJsonObject>

namespace cachescope {

// The knobs of the embedded demo workload; the "demo" object of demo-config.json.
struct DemoSettings
{
    int users = 8;                 // simulated concurrent users
    double skew = 1.1;             // Zipf exponent of chart popularity (0 = uniform)
    qint64 chartTimeout = 120;     // seconds a chart's data stays cached (0 = never expires)
    int threshold = 0;             // DATA cache size threshold (entries); 0 = keep the spec's
    int charts = 300;              // distinct charts across all dashboards
    int dashboards = 24;
    int requestIntervalMs = 250;   // mean think time of one user between requests
    quint32 seed = 20240601;

    // Reads {"users":8,"skew":1.1,"chart_timeout":120,"threshold":400,"charts":300,"dashboards":24,
    // "request_interval_ms":250,"seed":1}; missing members keep their defaults; values out of
    // range are errors naming the member.
    static Expected<DemoSettings> fromJson(const QJsonObject &object);
};

} // namespace cachescope
