#include "director/notify/script_health.h"

namespace lvsd::director::notify {

bool ScriptHealth::record(bool success) {
    if (success == up_) {
        streak_ = 0;
        return false;
    }
    if (++streak_ < (up_ ? fall_ : rise_))
        return false;
    up_ = success;
    streak_ = 0;
    return true;
}

} // namespace lvsd::director::notify
