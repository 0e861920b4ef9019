-- wrk script: POST one fixed service-API body (ReqGetAuthSessionState for an existing
-- session) and count answers that are not a clean "200 + non-error body", because the
-- service API answers context errors with HTTP 200 and an error=… body.
--   wrk … -s poll.lua URL -- '<form body>'
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad, first_bad = 0, nil
  local body = args[1]
  req = wrk.format("POST", "/",
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function request()
  return req
end

function response(status, headers, body)
  if status ~= 200 or body:sub(1, 6) == "error=" then
    bad = bad + 1
    if not first_bad then first_bad = status .. " " .. body:sub(1, 120) end
  end
end

function done(summary, latency, requests)
  local total_bad, example = 0, nil
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
    example = example or t:get("first_bad")
  end
  io.write(string.format("LUA requests=%d bad=%d socket_errors=%d p99_us=%d\n",
    summary.requests, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(99)))
  if example then io.write("LUA first bad answer: " .. example .. "\n") end
end
