-- wrk script: ReqRequestAuthSession, every request for a different ID.
-- A second request for an ID with a live session would be stored SUSPENDED (R-S7) instead of
-- PENDING, so each wrk thread walks its own slice of a pre-made pool of IDs <prefix><n>
-- and never repeats one while the slice lasts.
--   wrk -t2 … -s create.lua URL -- <prefix> <ids per thread>
local threads = {}

function setup(thread)
  thread:set("slice", #threads)  -- 0, 1, …: which slice of the pool this thread uses
  table.insert(threads, thread)
end

function init(args)
  prefix, per_thread = args[1], tonumber(args[2])
  sent, bad, pending, wrapped, first_bad = 0, 0, 0, 0, nil
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
end

function request()
  local i = sent % per_thread
  if sent >= per_thread then wrapped = wrapped + 1 end
  sent = sent + 1
  return wrk.format("POST", "/", headers,
    "request=ReqRequestAuthSession&secsignid=" .. prefix .. (slice * per_thread + i) ..
    "&servicename=bench&serviceaddress=127.0.0.1")
end

function response(status, headers, body)
  if status ~= 200 or body:sub(1, 6) == "error=" then
    bad = bad + 1
    if not first_bad then first_bad = status .. " " .. body:sub(1, 120) end
  elseif body:find("authsessionstate=1&", 1, true) then
    pending = pending + 1
  end
end

function done(summary, latency, requests)
  local b, p, w, example = 0, 0, 0, nil
  for _, t in ipairs(threads) do
    b, p, w = b + t:get("bad"), p + t:get("pending"), w + t:get("wrapped")
    example = example or t:get("first_bad")
  end
  io.write(string.format("LUA requests=%d bad=%d pending=%d wrapped=%d socket_errors=%d p99_us=%d\n",
    summary.requests, b, p, w,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99)))
  if example then io.write("LUA first bad answer: " .. example .. "\n") end
end
