// TEMP: stand-in until the real CLI lands; dropped at merge.
#include "cachecommand.h"
namespace cachescope {
int runCacheCommand(const QStringList &)
{
    return 2;
}
} // namespace cachescope
