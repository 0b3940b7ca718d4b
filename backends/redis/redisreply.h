#pragma once

#include <QByteArray>
#include <QMetaType>

#include <vector>

namespace cachescope {

// One Redis reply, owned (RESP2 types). Built straight from the wire by RedisConnection's reader.
struct RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray string;               // Status, Error, String
    std::vector<RedisReply> elements; // Array

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
};

} // namespace cachescope

// Replies travel through queued signals (AsyncRedisConnection).
Q_DECLARE_METATYPE(cachescope::RedisReply)
Q_DECLARE_METATYPE(std::vector<cachescope::RedisReply>)
