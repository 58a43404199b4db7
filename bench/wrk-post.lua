-- wrk script for bench/http-wrk.py: POST /v1/messages, each with a new idempotency key, over 8
-- sessions; the token comes from CLAWSHARP_TOKEN. Ends with one JSON line: requests, seconds,
-- rate, p50/p99 in ms, socket errors, and answers other than 202.
local counter = 0
local run = tostring(os.time()) .. tostring(math.random(1000000))
local non202 = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CLAWSHARP_TOKEN")

request = function()
  counter = counter + 1
  local body = string.format('{"sessionKey":"wrk-%d","message":"hello","idempotencyKey":"%s-%d"}', counter % 8, run, counter)
  return wrk.format(nil, "/v1/messages", nil, body)
end

response = function(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format('{"requests":%d,"seconds":%.3f,"rate":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"non202":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, non202))
end
