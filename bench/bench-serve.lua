-- wrk script of bench/bench-serve.sh: a year-range top-10 whose range differs from
-- request to request (from within the first 121 days, to within the last 125: about
-- 15,000 questions), so the rendered-answer cache rarely helps and each request rolls
-- its ~300 days up again from the day-row cache.
local first = tonumber(os.getenv("BENCH_SERVE_FIRST_EPOCH"))
math.randomseed(7)
request = function()
  local from = os.date("!%Y-%m-%d", first + math.random(0, 120) * 86400)
  local to = os.date("!%Y-%m-%d", first + math.random(240, 364) * 86400)
  return wrk.format("GET", "/api/v1/top?metric=pins_by_category&group=all&top=10&from=" .. from .. "&to=" .. to)
end
