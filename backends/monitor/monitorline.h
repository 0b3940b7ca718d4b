#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QList>

namespace cachescope {

// One line of the MONITOR stream:
// 1339518083.107412 [0 127.0.0.1:60866] "SET" "key" "va\"lue"
struct MonitorLine
{
    double timestamp = 0; // seconds since the epoch, as the server wrote it
    int db = 0;
    QByteArray client;    // "127.0.0.1:60866", "lua", "unix:/tmp/redis.sock"
    QList<QByteArray> args; // unescaped, binary-safe

    // Unescapes \" \\ \n \r \t \a \b \xHH as sdscatrepr wrote them; bounded by the line length.
    static Expected<MonitorLine> parse(const QByteArray &line);
};

} // namespace cachescope
