-- wrk script for bench/load.ts: one request shape, with a random id appended to
-- the path and a random body per request where the shape asks for them.
--
-- Arguments (after wrk's "--"): method, path (the prefix when ids are given),
-- ids file ("-" for none: one id a line), body ("-" none, "priority" a random
-- {"priority":n}, anything else sent as it is), then header lines "name: value".
-- done() prints one line "wrk-result {json}" for the bench to read.

local method, path, body
local ids = {}
local headers = {}

function init(args)
  method, path, body = args[1], args[2], args[4]
  if args[3] ~= "-" then
    for line in io.lines(args[3]) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
  for name, value in pairs(wrk.headers) do headers[name] = value end
  for i = 5, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  -- Each thread draws its own sequence.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local target = path
  if #ids > 0 then target = path .. ids[math.random(#ids)] end
  local content = nil
  if body == "priority" then
    content = '{"priority":' .. math.random(0, 999) .. '}'
  elseif body ~= "-" then
    content = body
  end
  return wrk.format(method, target, headers, content)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-result {"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
