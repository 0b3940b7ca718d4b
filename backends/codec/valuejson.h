#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArray>
#include <QJsonValue>

namespace cachescope {

// The JSON encoding of Python values used by every CLI command (issue "foundation" §3):
// None->null; bool; int->number when |n| < 2^53 else {"__int__":"<decimal>"}; float->number or
// {"__float__":"nan"|"inf"|"-inf"}; str->string; bytes->{"__bytes__":"<base64>"};
// bytearray->{"__bytearray__":...}; list->array; tuple->{"__tuple__":[...]}; set->{"__set__":[...]};
// frozenset->{"__frozenset__":[...]}; dict with only str keys->object (order kept);
// other dict->{"__dict__":[[k,v],...]}; other object->{"__object__":"module.qualname","args":[...],"state":...}.
namespace ValueJson {

// Serialises to compact JSON text. Dict key order is kept (QJsonObject would sort it).
QByteArray toJson(const PyValue &value, bool pretty = false);
// Same, but stops expanding once the text reaches about maxBytes: shared references are
// written out in full, so a small pickle of nested shared lists can mean exponential JSON.
// Values past the budget become null (the text stays valid JSON); *truncated tells.
QByteArray toJson(const PyValue &value, bool pretty, qint64 maxBytes, bool *truncated = nullptr);
// Parses JSON text in the same encoding back to a value; errors carry line and column.
Expected<PyValue> fromJson(const QByteArray &json);

} // namespace ValueJson

} // namespace cachescope
