#include "respreader.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>

namespace cachescope {

namespace {

// Arrays reserve at most this many elements up front: a hostile length costs nothing until the
// elements actually arrive.
constexpr int kMaxReserve = 4096;

// hiredis's reader calls these to build each reply: RedisReply values are made in place (an
// array's elements inside its vector), instead of hiredis's redisReply tree copied afterwards.
// Only the root is heap-allocated; hiredis frees nothing but the root (freeObject).
RedisReply *slotFor(const redisReadTask *task)
{
    if (task->parent) {
        auto *parent = static_cast<RedisReply *>(task->parent->obj);
        // Children arrive in order (idx 0, 1, ...); a nested array is complete before its next
        // sibling is added, so growing the vector never moves an array hiredis still fills.
        return &parent->elements.emplace_back();
    }
    return new RedisReply;
}

void *createString(const redisReadTask *task, char *str, size_t len)
{
    RedisReply *r = slotFor(task);
    switch (task->type) {
    case REDIS_REPLY_STATUS:
        r->type = RedisReply::Type::Status;
        // "OK" answers every SET of a pipeline: static data, no allocation per reply.
        if (len == 2 && str[0] == 'O' && str[1] == 'K') {
            r->string = QByteArrayLiteral("OK");
            return r;
        }
        break;
    case REDIS_REPLY_ERROR:
        r->type = RedisReply::Type::Error;
        break;
    default:
        r->type = RedisReply::Type::String;
        break;
    }
    r->string = QByteArray(str, qsizetype(len));
    return r;
}

void *createArray(const redisReadTask *task, int elements)
{
    RedisReply *r = slotFor(task);
    r->type = RedisReply::Type::Array;
    if (elements > 0)
        r->elements.reserve(size_t(std::min(elements, kMaxReserve)));
    return r;
}

void *createInteger(const redisReadTask *task, long long value)
{
    RedisReply *r = slotFor(task);
    r->type = RedisReply::Type::Integer;
    r->integer = value;
    return r;
}

void *createNil(const redisReadTask *task)
{
    return slotFor(task); // Type::Nil by default
}

void freeObject(void *root)
{
    delete static_cast<RedisReply *>(root);
}

redisReplyObjectFunctions g_replyFunctions{createString, createArray, createInteger, createNil, freeObject};

} // namespace

RespReader::RespReader() : m_reader(redisReaderCreateWithFunctions(&g_replyFunctions)) {}

RespReader::~RespReader()
{
    redisReaderFree(m_reader);
}

Expected<bool> RespReader::feed(QByteArrayView bytes)
{
    if (redisReaderFeed(m_reader, bytes.data(), size_t(bytes.size())) != REDIS_OK)
        return makeError(QStringLiteral("protocol error: %1").arg(QString::fromUtf8(m_reader->errstr)));
    return true;
}

Expected<std::optional<RedisReply>> RespReader::next()
{
    void *obj = nullptr;
    if (redisReaderGetReply(m_reader, &obj) != REDIS_OK)
        return makeError(QStringLiteral("protocol error: %1").arg(QString::fromUtf8(m_reader->errstr)));
    if (!obj)
        return std::optional<RedisReply>();
    std::unique_ptr<RedisReply> reply(static_cast<RedisReply *>(obj));
    return std::optional<RedisReply>(std::move(*reply));
}

} // namespace cachescope
