-- wrk script: POST grant_type=client_credentials to the token endpoint with
-- client_secret_basic. No response() callback: wrk shares the cores with the server, and the
-- peers are measured without one too; bench/oidc.sh checks wrk's Non-2xx count instead and
-- checks a sample token before and after the run.
--   wrk … -s token.lua URL -- BASIC_B64 [FORM_BODY]
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. assert(args[1], "BASIC_B64 missing")
  wrk.body = args[2] or "grant_type=client_credentials"
end
