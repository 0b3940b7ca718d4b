#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace cachescope::cli {

// stdout gets the result (JSON or text) only; diagnostics go to stderr (CommandLine::fail/note).
void writeOut(const QByteArray &bytes);
void writeLine(const QByteArray &line); // plus '\n', flushed: one line per result, visible in pipes
void flushOut();
void writeErr(const QByteArray &bytes);

// A JSON/text argument given inline, as @FILE, or as "-" for standard input: its bytes as they
// are (a leading U+FEFF included).
bool readArgument(const QString &argument, QByteArray *out, QString *error);

// argv[1..argc) as UTF-8 text, a leading U+FEFF kept: QCoreApplication::arguments() decodes
// with QString::fromLocal8Bit, which drops it (`cache get $'\ufeffkey'` would name another key).
QStringList arguments(int argc, char *argv[]);

} // namespace cachescope::cli
