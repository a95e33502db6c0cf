//! The server-side scripts: each is one atomic step on one credential's keys (both keys carry the
//! credential as their hash tag, so they live in one Cluster slot).
//!
//! Steps are compared as decimal strings (length, then bytes), exact for every `u64`; throttle
//! numbers stay below 2^53, where Lua's doubles are exact, and are written back with `%d`.

use std::sync::LazyLock;

use redis::Script;

/// Shared Lua: `newer(a, b)` is whether decimal string `a` is a greater number than `b`.
macro_rules! lua_newer {
    () => {
        "local function newer(a, b)\n\
           if #a ~= #b then return #a > #b end\n\
           return a > b\n\
         end\n"
    };
}

/// Shared Lua: records a failure in the throttle hash `KEYS[2]`, with now, free_attempts,
/// delay_step, max_delay in ARGV[3..=6].
macro_rules! lua_record_failure {
    () => {
        "local function record_failure(key, now, free, delay_step, max_delay)\n\
           local f = tonumber(redis.call('HGET', key, 'f') or '0')\n\
           f = math.min(f + 1, 4294967295)\n\
           local extra = math.max(f - free, 0)\n\
           local delay = math.min(delay_step * extra, max_delay)\n\
           redis.call('HSET', key, 'f', string.format('%d', f))\n\
           if delay > 0 then redis.call('HSET', key, 'n', string.format('%d', now + delay)) end\n\
         end\n"
    };
}

/// `KEYS[1]` last step; `ARGV[1]` step, `ARGV[2]` seconds to keep it.
/// Returns 1 when recorded, 0 when the step was not newer.
pub(crate) static CHECK_AND_RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        lua_newer!(),
        "local last = redis.call('GET', KEYS[1])\n\
         if last and not newer(ARGV[1], last) then return 0 end\n\
         redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n\
         return 1\n"
    ))
});

/// `KEYS[2]` throttle hash (`KEYS[1]` unused, keeps the argument layout of [`VERIFY`]);
/// `ARGV[3..=6]` now, free_attempts, delay_step, max_delay.
pub(crate) static RECORD_FAILURE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        lua_record_failure!(),
        "record_failure(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))\n\
         return 1\n"
    ))
});

/// One verification in one round trip. `KEYS[1]` last step, `KEYS[2]` throttle hash;
/// `ARGV[1]` the matched step or `""` when the code matched none, `ARGV[2]` seconds to keep the
/// step, `ARGV[3..=6]` now, free_attempts, delay_step, max_delay, `ARGV[7]` lockout_after or `""`.
///
/// Returns `{status, n}`: `{1, 0}` accepted (failures cleared); `{0, 0}` wrong code and `{0, 1}`
/// replay (a failure recorded either way); `{2, 0}` locked out; `{3, s}` retry after `s` seconds
/// (nothing recorded while throttled).
pub(crate) static VERIFY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        lua_newer!(),
        lua_record_failure!(),
        "local now = tonumber(ARGV[3])\n\
         local t = redis.call('HMGET', KEYS[2], 'f', 'n')\n\
         local f = tonumber(t[1] or '0')\n\
         local n = tonumber(t[2] or '0')\n\
         if ARGV[7] ~= '' and f >= tonumber(ARGV[7]) then return {2, 0} end\n\
         if now < n then return {3, n - now} end\n\
         if ARGV[1] ~= '' then\n\
           local last = redis.call('GET', KEYS[1])\n\
           if not last or newer(ARGV[1], last) then\n\
             redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n\
             redis.call('DEL', KEYS[2])\n\
             return {1, 0}\n\
           end\n\
         end\n\
         record_failure(KEYS[2], now, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))\n\
         if ARGV[1] ~= '' then return {0, 1} end\n\
         return {0, 0}\n"
    ))
});
