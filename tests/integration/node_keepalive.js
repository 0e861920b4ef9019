// What the Node.js client of the service API does: POST over one keep-alive HTTPS agent and
// reuse the socket. A reset or a closed socket between requests makes that client crash.
// Usage: node node_keepalive.js PORT CA_FILE ; prints one JSON line with what it saw.
const https = require('https');
const fs = require('fs');
const [port, caFile] = process.argv.slice(2);
const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: fs.readFileSync(caFile) });

function post(body) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: 'localhost', port, path: '/', method: 'POST', agent,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded',
                 'Content-Length': Buffer.byteLength(body), Referer: 'SecSignIDApi_JS' } },
      (res) => {
        let data = '';
        res.on('data', (c) => { data += c; });
        res.on('end', () => resolve({ status: res.statusCode, body: data,
                                      reused: req.reusedSocket }));
      });
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const seen = [];
  for (let i = 0; i < 20; i++) {
    // alternate an error answer (400) and a context error: both must keep the socket open
    const body = i % 2 ? 'request=ReqGetAuthSessionState&secsignid=nobody&authsessionid=' +
      '1'.repeat(19) + '&requestid=' + 'A'.repeat(64) : 'request=nothing';
    const r = await post(body);
    seen.push({ status: r.status, reused: r.reused, error: r.body.split('&')[0] });
    // an idle pause between requests, as a website between two polls
    if (i === 10) await new Promise((ok) => setTimeout(ok, 1500));
  }
  agent.destroy();
  console.log(JSON.stringify(seen));
})().catch((e) => { console.error(String(e)); process.exit(1); });
