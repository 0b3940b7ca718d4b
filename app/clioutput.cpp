#include "clioutput.h"

#include <QFile>

#include <cstdio>

namespace cachescope::cli {

void writeOut(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

void writeLine(const QByteArray &json)
{
    writeOut(json);
    writeOut("\n");
    std::fflush(stdout);
}

int fail(const QString &command, const QString &message, int exitCode)
{
    const QByteArray text = "cachescope " + command.toUtf8() + ": " + message.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
    return exitCode;
}

bool readArgument(const QString &argument, QByteArray *out, QString *error)
{
    if (argument == u"-" || argument.startsWith(u'@')) {
        QFile file;
        bool opened = false;
        if (argument == u"-") {
            opened = file.open(stdin, QIODevice::ReadOnly);
        } else {
            file.setFileName(argument.mid(1));
            opened = file.open(QIODevice::ReadOnly);
        }
        if (!opened) {
            *error = QStringLiteral("cannot read %1: %2")
                         .arg(argument == u"-" ? QStringLiteral("standard input") : argument.mid(1), file.errorString());
            return false;
        }
        *out = file.readAll();
        return true;
    }
    *out = argument.toUtf8();
    return true;
}

} // namespace cachescope::cli
