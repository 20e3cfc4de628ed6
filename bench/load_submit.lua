-- wrk script for bench/load.py: submit prepared applications at a constant rate.
--
--   wrk -t T -c C -d Ds -s bench/load_submit.lua URL -- RATE TARGETS T
--
-- TARGETS holds one "application-id token" per line: each line is submitted once
-- (POST /api/v1/applications/<id>/submit/ with that applicant's bearer token), never two
-- threads the same line (thread k of T takes lines k, k+T, k+2T ...).
--
-- Plain wrk sends as fast as its connections allow. Here every thread keeps its own
-- schedule (a slot every T/RATE seconds) and delay() holds each request until the next
-- free slot, so the rate is RATE whatever the latency, as long as the connections are
-- enough (C/RATE seconds per request on each one). Latency is wrk's own: from sending
-- a request to its answer.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clock_id, load_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("load_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- main state: number the threads, keep them for done()
local threads = {}
local counter = 0

function setup(thread)
  thread:set("k", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- thread state
local targets, next_target = {}, 1
local interval, next_slot
statuses = ""        -- "202=n,400=m", read by done()
exhausted = 0        -- requests sent after the targets ran out (a GET /healthz)
samples = ""         -- the first bodies of answers other than 202
local counts, sampled = {}, 0

function init(args)
  local rate, path, nthreads = tonumber(args[1]), args[2], tonumber(args[3])
  interval = 1000 * nthreads / rate
  next_slot = nil
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == k then
      local id, token = line:match("^(%S+)%s+(%S+)$")
      table.insert(targets, {id, token})
    end
    i = i + 1
  end
  -- thread k starts k/RATE after thread 0: the threads' slots interleave
  next_slot = now_ms() + k * 1000 / rate
end

function delay()
  local wait = next_slot - now_ms()
  next_slot = next_slot + interval
  if wait < 0 then return 0 end
  return math.floor(wait)
end

function request()
  local target = targets[next_target]
  if target == nil then
    exhausted = exhausted + 1
    return wrk.format("GET", "/healthz")
  end
  next_target = next_target + 1
  return wrk.format("POST", "/api/v1/applications/" .. target[1] .. "/submit/",
    {["Authorization"] = "Bearer " .. target[2],
     ["Content-Type"] = "application/json",
     ["Accept"] = "application/json"},
    '{"pledge": true}')
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status ~= 202 and sampled < 3 then
    sampled = sampled + 1
    samples = samples .. status .. " " .. string.sub(body or "", 1, 300) .. "\n"
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, code .. "=" .. n) end
  statuses = table.concat(parts, ",")
end

-- main state again: one JSON line for bench/load.py
local function quote(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n'):gsub('[%c]', ' ') .. '"'
end

function done(summary, latency, requests)
  local by_status, bodies, after_targets = {}, {}, 0
  for _, thread in ipairs(threads) do
    for code, n in string.gmatch(thread:get("statuses") or "", "(%d+)=(%d+)") do
      by_status[code] = (by_status[code] or 0) + tonumber(n)
    end
    after_targets = after_targets + (thread:get("exhausted") or 0)
    local s = thread:get("samples") or ""
    if s ~= "" then table.insert(bodies, quote(s)) end
  end
  local parts = {}
  for code, n in pairs(by_status) do table.insert(parts, '"' .. code .. '": ' .. n) end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}, ' ..
    '"after_targets": %d, "samples": [%s]}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    after_targets, table.concat(bodies, ", ")))
end
