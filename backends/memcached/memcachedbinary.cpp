#include "memcachedbinary.h"

#include "memcachedlink.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace cachescope {

namespace memcachedbinary {

void appendUInt32(QByteArray &out, quint32 v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out += char((v >> shift) & 0xff);
}

void appendUInt64(QByteArray &out, quint64 v)
{
    for (int shift = 56; shift >= 0; shift -= 8)
        out += char((v >> shift) & 0xff);
}

quint32 readUInt32(QByteArrayView bytes, qsizetype at)
{
    quint32 v = 0;
    for (qsizetype i = 0; i < 4; ++i)
        v = (v << 8) | quint8(bytes[at + i]);
    return v;
}

quint64 readUInt64(QByteArrayView bytes, qsizetype at)
{
    quint64 v = 0;
    for (qsizetype i = 0; i < 8; ++i)
        v = (v << 8) | quint8(bytes[at + i]);
    return v;
}

QByteArray request(Opcode opcode, QByteArrayView key, QByteArrayView value, QByteArrayView extras)
{
    QByteArray out;
    out.reserve(kHeaderSize + extras.size() + key.size() + value.size());
    out += char(0x80); // request magic
    out += char(opcode);
    out += char((key.size() >> 8) & 0xff);
    out += char(key.size() & 0xff);
    out += char(extras.size());
    out += char(0); // data type: raw bytes
    out += char(0); // vbucket
    out += char(0);
    appendUInt32(out, quint32(extras.size() + key.size() + value.size()));
    appendUInt32(out, 0); // opaque
    appendUInt64(out, 0); // cas
    out += extras;
    out += key;
    out += value;
    return out;
}

Expected<Header> parseResponseHeader(QByteArrayView bytes)
{
    if (bytes.size() != kHeaderSize)
        return makeError(QStringLiteral("binary response header of %1 bytes").arg(bytes.size()));
    if (quint8(bytes[0]) != 0x81)
        return makeError(QStringLiteral("binary response starts with byte 0x%1, not 0x81 (is this memcached, and does "
                                        "it speak the binary protocol?)")
                             .arg(quint8(bytes[0]), 2, 16, QLatin1Char('0')));
    Header h;
    h.opcode = quint8(bytes[1]);
    h.keyLength = quint16((quint8(bytes[2]) << 8) | quint8(bytes[3]));
    h.extrasLength = quint8(bytes[4]);
    h.status = Status(quint16((quint8(bytes[6]) << 8) | quint8(bytes[7])));
    h.bodyLength = readUInt32(bytes, 8);
    if (h.bodyLength > kMaxBodyBytes || quint32(h.keyLength) + h.extrasLength > h.bodyLength)
        return makeError(QStringLiteral("binary response with body %1, key %2 and extras %3 bytes")
                             .arg(h.bodyLength)
                             .arg(h.keyLength)
                             .arg(h.extrasLength));
    return h;
}

Response splitBody(const Header &header, const QByteArray &body)
{
    Response r;
    r.opcode = header.opcode;
    r.status = header.status;
    r.extras = body.left(header.extrasLength);
    r.key = body.mid(header.extrasLength, header.keyLength);
    r.value = body.mid(header.extrasLength + header.keyLength);
    return r;
}

QString statusText(Status status, QByteArrayView value)
{
    QString name;
    switch (status) {
    case Status::Ok: name = QStringLiteral("no error"); break;
    case Status::KeyNotFound: name = QStringLiteral("key not found"); break;
    case Status::KeyExists: name = QStringLiteral("key exists"); break;
    case Status::ValueTooLarge: name = QStringLiteral("value too large"); break;
    case Status::InvalidArguments: name = QStringLiteral("invalid arguments"); break;
    case Status::NotStored: name = QStringLiteral("item not stored"); break;
    case Status::NonNumeric: name = QStringLiteral("incr/decr on a non-numeric value"); break;
    case Status::AuthError: name = QStringLiteral("authentication failed"); break;
    case Status::AuthContinue: name = QStringLiteral("authentication continues"); break;
    case Status::UnknownCommand: name = QStringLiteral("unknown command"); break;
    case Status::OutOfMemory: name = QStringLiteral("out of memory"); break;
    default: name = QStringLiteral("status 0x%1").arg(quint16(status), 4, 16, QLatin1Char('0')); break;
    }
    const QByteArrayView text = value.first(std::min<qsizetype>(value.size(), 200));
    bool printable = !text.isEmpty();
    for (const char c : text)
        printable = printable && c >= 0x20 && c < 0x7f;
    return printable ? name + QStringLiteral(" (") + QString::fromLatin1(text) + u')' : name;
}

QByteArray plainMessage(const QString &username, const QString &password)
{
    return '\0' + username.toUtf8() + '\0' + password.toUtf8();
}

QByteArray cramMd5Message(const QString &username, const QString &password, QByteArrayView challenge)
{
    const QByteArray digest =
        QMessageAuthenticationCode::hash(challenge.toByteArray(), password.toUtf8(), QCryptographicHash::Md5).toHex();
    return username.toUtf8() + ' ' + digest;
}

} // namespace memcachedbinary

using memcachedbinary::Opcode;
using memcachedbinary::Status;

Expected<bool> MemcachedLink::sendPackets(const QList<QByteArray> &packets)
{
    qsizetype size = 0;
    for (const auto &p : packets)
        size += p.size();
    QByteArray all;
    all.reserve(size);
    for (const auto &p : packets)
        all += p;
    return m_socket.write(all);
}

Expected<memcachedbinary::Response> MemcachedLink::readPacket(const char *operation)
{
    auto headerBytes = m_socket.read(memcachedbinary::kHeaderSize);
    if (!headerBytes)
        return Error{headerBytes.error()};
    auto header = memcachedbinary::parseResponseHeader(*headerBytes);
    if (!header)
        return serverError(operation, header.error());
    auto body = m_socket.read(header->bodyLength);
    if (!body)
        return Error{body.error()};
    return memcachedbinary::splitBody(*header, *body);
}

Expected<bool> MemcachedLink::authenticate()
{
    // Which mechanisms the server's SASL library offers (memcached -S, Cyrus SASL mech_list).
    if (auto ok = sendPackets({memcachedbinary::request(Opcode::SaslListMechanisms, {})}); !ok)
        return ok;
    auto list = readPacket("SASL mechanism list");
    if (!list)
        return Error{list.error()};
    if (list->status == Status::UnknownCommand)
        return serverError("SASL authentication",
                           QStringLiteral("unknown command: this memcached was not started with -S (SASL); "
                                          "connect without a username"));
    if (list->status != Status::Ok)
        return serverError("SASL mechanism list", memcachedbinary::statusText(list->status, list->value));
    const QList<QByteArray> offered = list->value.trimmed().split(' ');
    // CRAM-MD5 keeps the password off the wire; PLAIN is what is left otherwise.
    QByteArray mechanism;
    if (offered.contains("CRAM-MD5"))
        mechanism = "CRAM-MD5";
    else if (offered.contains("PLAIN"))
        mechanism = "PLAIN";
    else
        return serverError("SASL authentication",
                           QStringLiteral("the server offers %1; CacheScope speaks PLAIN and CRAM-MD5")
                               .arg(QString::fromLatin1(list->value.trimmed())));
    const QByteArray first =
        mechanism == "PLAIN" ? memcachedbinary::plainMessage(m_credentials.username, m_credentials.password) : QByteArray();
    if (auto ok = sendPackets({memcachedbinary::request(Opcode::SaslAuth, mechanism, first)}); !ok)
        return ok;
    auto reply = readPacket("SASL authentication");
    if (!reply)
        return Error{reply.error()};
    if (reply->status == Status::AuthContinue && mechanism == "CRAM-MD5") {
        const QByteArray answer =
            memcachedbinary::cramMd5Message(m_credentials.username, m_credentials.password, reply->value);
        if (auto ok = sendPackets({memcachedbinary::request(Opcode::SaslStep, mechanism, answer)}); !ok)
            return ok;
        reply = readPacket("SASL authentication");
        if (!reply)
            return Error{reply.error()};
    }
    if (reply->status == Status::AuthError)
        return serverError("SASL authentication",
                           QStringLiteral("authentication failed for user '%1' (%2): wrong username or password")
                               .arg(m_credentials.username, QString::fromLatin1(mechanism)));
    if (reply->status != Status::Ok)
        return serverError("SASL authentication", memcachedbinary::statusText(reply->status, reply->value));
    return true;
}

} // namespace cachescope
