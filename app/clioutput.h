#pragma once

#include <QByteArray>
#include <QString>

namespace cachescope::cli {

// stdout gets JSON only; every diagnostic goes to stderr prefixed with the command name.
void writeOut(const QByteArray &bytes);
void writeLine(const QByteArray &json);
int fail(const QString &command, const QString &message, int exitCode = 1);

// A JSON/text argument given inline, as @FILE, or as "-" for standard input.
bool readArgument(const QString &argument, QByteArray *out, QString *error);

} // namespace cachescope::cli
