-- wrk script for bench/load.ts: one request shape, with a random id appended to
-- the path and a random body per request where the shape asks for them.
--
-- Arguments (after wrk's "--"): method, path (the prefix when ids are given),
-- ids file ("-" for none: one id a line), body ("-" none, "priority" a random
-- {"priority":n}, "@<file>" a random line of that file, anything else sent as
-- it is), then header lines "name: value". WRK_PAUSE_MS in the environment:
-- the pause of each connection after a response (a fixed offered rate); read
-- when the script loads, since wrk asks whether delay() exists before init().
-- done() prints one line "wrk-result {json}" for the bench to read.

local method, path, body
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "0")
local ids = {}
local bodies = {}
local headers = {}

local function lines(file, into)
  for line in io.lines(file) do
    if line ~= "" then into[#into + 1] = line end
  end
end

function init(args)
  method, path, body = args[1], args[2], args[4]
  if args[3] ~= "-" then lines(args[3], ids) end
  if body:sub(1, 1) == "@" then lines(body:sub(2), bodies) end
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
  if #bodies > 0 then
    content = bodies[math.random(#bodies)]
  elseif body == "priority" then
    content = '{"priority":' .. math.random(0, 999) .. '}'
  elseif body ~= "-" then
    content = body
  end
  return wrk.format(method, target, headers, content)
end

if pause > 0 then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-result {"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
