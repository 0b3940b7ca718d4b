#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace cachescope {

// The error half of Expected: a message that names the thing and the reason.
struct Error
{
    QString message;
};

// A value or a located, human-readable error (std::expected is C++23; GCC 12 lacks it).
template<typename T>
class Expected
{
public:
    Expected(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool hasValue() const { return m_data.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    // Empty when there is a value, so it can be passed to a message eagerly (e.g. QVERIFY2).
    const QString &error() const
    {
        static const QString none;
        return hasValue() ? none : std::get<1>(m_data).message;
    }

private:
    std::variant<T, Error> m_data;
};

inline Error makeError(QString message)
{
    return Error{std::move(message)};
}

} // namespace cachescope
