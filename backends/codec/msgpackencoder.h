#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArray>

namespace cachescope {

// Encodes a PyValue as Python's msgpack.dumps(value, use_bin_type=True) does (msgpack 1.0):
// smallest int forms, float64, str8/16/32, bin for bytes, list/tuple -> array, dict -> map.
// Recognised scalars go through Superset's json_iso_dttm_ser: datetime/date/time -> ISO text,
// Decimal -> float, UUID -> text. Other objects are an error (Python would raise TypeError).
class MsgpackEncoder
{
public:
    static Expected<QByteArray> encode(const PyValue &value);
};

} // namespace cachescope
