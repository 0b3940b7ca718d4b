#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace cachescope::memcachedbinary {

// memcached's binary protocol: 24-byte big-endian headers, then extras, key and value.
// Only what MemcachedLink sends, and SASL. Source: memcached/memcached ›
// protocol_binary.h, doc/protocol-binary.xml (@1.6.18).
enum class Opcode : quint8 {
    Get = 0x00,
    Set = 0x01,
    Add = 0x02,
    Delete = 0x04,
    Increment = 0x05,
    Decrement = 0x06,
    Version = 0x0b,
    GetK = 0x0c,
    Stat = 0x10,
    Touch = 0x1c,
    SaslListMechanisms = 0x20,
    SaslAuth = 0x21,
    SaslStep = 0x22,
};

enum class Status : quint16 {
    Ok = 0x00,
    KeyNotFound = 0x01,
    KeyExists = 0x02,
    ValueTooLarge = 0x03,
    InvalidArguments = 0x04,
    NotStored = 0x05,
    NonNumeric = 0x06,
    AuthError = 0x20,
    AuthContinue = 0x21,
    UnknownCommand = 0x81,
    OutOfMemory = 0x82,
};

constexpr qsizetype kHeaderSize = 24;
constexpr quint32 kMaxBodyBytes = (1u << 30) + 4096; // a 1 GiB item plus its key and extras

QByteArray request(Opcode opcode, QByteArrayView key, QByteArrayView value = {}, QByteArrayView extras = {});

struct Header
{
    quint8 opcode = 0;
    quint16 keyLength = 0;
    quint8 extrasLength = 0;
    Status status = Status::Ok;
    quint32 bodyLength = 0;
};
// A response header: magic 0x81 and lengths that fit the body, else an Error saying which.
Expected<Header> parseResponseHeader(QByteArrayView bytes);

struct Response
{
    quint8 opcode = 0;
    Status status = Status::Ok;
    QByteArray extras;
    QByteArray key;
    QByteArray value;
};
Response splitBody(const Header &header, const QByteArray &body);

// "Key not found", "Not stored", ... plus the server's own text when it sent one.
QString statusText(Status status, QByteArrayView value);

void appendUInt32(QByteArray &out, quint32 v);
void appendUInt64(QByteArray &out, quint64 v);
quint32 readUInt32(QByteArrayView bytes, qsizetype at);
quint64 readUInt64(QByteArrayView bytes, qsizetype at);

// SASL client messages. PLAIN (RFC 4616): "\0user\0password". CRAM-MD5 (RFC 2195):
// "user " + lowercase hex HMAC-MD5(password, challenge) — the password itself never travels.
QByteArray plainMessage(const QString &username, const QString &password);
QByteArray cramMd5Message(const QString &username, const QString &password, QByteArrayView challenge);

} // namespace cachescope::memcachedbinary
