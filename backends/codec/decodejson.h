#pragma once

#include "decoderchain.h"
#include "recognisers.h"

#include <QByteArray>

namespace cachescope {

// The JSON the decode command prints (issue 4): {"layers":[{"kind","offset","size","notes"}],
// "value":...} with the foundation value encoding plus "__datetime__", "__date__", "__time__",
// "__timedelta__", "__decimal__", "__uuid__", "__ndarray__", "__dataframe__", "__arrow__" and
// "__image__". Tables print at most maxRows rows; "rows" always gives the total.
namespace DecodeJson {

QByteArray result(const DecodeResult &result, int maxRows = 100);
QByteArray value(const PyValue &value, int maxRows = 100);
QByteArray table(const ArrowTable &table, int maxRows = 100);
QByteArray cell(const Cell &cell, int maxRows = 100);

} // namespace DecodeJson

} // namespace cachescope
