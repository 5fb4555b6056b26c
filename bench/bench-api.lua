-- wrk script of `make bench-api`: POST /pin/ with realistic bodies, rotated from a
-- JSON-lines file (environment BENCH_API_BODIES: emulator events), and one summary
-- line "WRKJSON {...}" that bench/bench-api.sh parses.
local bodies = {}
for line in io.lines(os.getenv("BENCH_API_BODIES")) do
  if #line > 0 then bodies[#bodies + 1] = line end
end

local reqs = {}
local i = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for k, b in ipairs(bodies) do reqs[k] = wrk.format("POST", "/pin/", headers, b) end
  i = math.random(#reqs) -- each thread starts at its own place in the rotation
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
