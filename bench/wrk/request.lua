-- One wrk script for every benchmarked endpoint, driven by the environment:
--   BENCH_METHOD  GET (default) or POST
--   BENCH_TOKEN   a JWT access token, sent as "Authorization: Bearer ..."
--   BENCH_BODY    a JSON request body (POST)
--   BENCH_PATHS   a file with one path per line, requested in turn;
--                 without it, the path of the URL on the command line
-- At the end it prints one line "BENCH_JSON {...}" with exact percentiles.

local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
local paths_file = os.getenv("BENCH_PATHS")

local headers = { ["Accept"] = "application/json" }
if token and token ~= "" then
  headers["Authorization"] = "Bearer " .. token
end
if body and body ~= "" then
  headers["Content-Type"] = "application/json"
end

local requests = {}
local counter = 0

init = function(args)
  local paths = {}
  if paths_file and paths_file ~= "" then
    for line in io.lines(paths_file) do
      if line ~= "" then
        paths[#paths + 1] = line
      end
    end
  else
    paths[1] = wrk.path
  end
  for i, path in ipairs(paths) do
    requests[i] = wrk.format(method, path, headers, body)
  end
end

request = function()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end

done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
