#pragma once

#include "common/expected.h"
#include "redisreply.h"

#include <QByteArrayView>

#include <optional>

struct redisReader;

namespace cachescope {

// RESP replies from a byte stream (what a Redis server sends, outside input): hiredis's reader
// parses the protocol (and caps nesting at 7 levels), and its reply callbacks build RedisReply
// values in place instead of a redisReply tree copied afterwards. Memory follows the bytes fed:
// a declared length or element count reserves nothing it has not received. After a protocol
// error the reader is unusable (so is the connection it served). Not thread-safe.
class RespReader
{
public:
    RespReader();
    ~RespReader();
    RespReader(const RespReader &) = delete;
    RespReader &operator=(const RespReader &) = delete;

    // Error: "protocol error: ..." (hiredis's words).
    Expected<bool> feed(QByteArrayView bytes);
    // The next complete reply, std::nullopt when more bytes are needed.
    Expected<std::optional<RedisReply>> next();

private:
    redisReader *m_reader;
};

} // namespace cachescope
