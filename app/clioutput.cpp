#include "clioutput.h"

#include "codec/utf8.h"

#include <QFile>

#include <cstdio>

namespace cachescope::cli {

void writeOut(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

void writeLine(const QByteArray &line)
{
    writeOut(line);
    writeOut("\n");
    flushOut();
}

void flushOut()
{
    std::fflush(stdout);
}

void writeErr(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
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

QStringList arguments(int argc, char *argv[])
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << utf8::toString(QByteArrayView(argv[i]));
    return args;
}

} // namespace cachescope::cli
