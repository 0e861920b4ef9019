// An independent OpenID provider (panva/oidc-provider) on 127.0.0.1 for the R-C4 federation
// test: one confidential client (twofold's callback as its redirect URI), PKCE required, the
// provider's own development login/consent pages (any login, any password), and accounts whose
// preferred_username is the login typed. Prints "ready <issuer>" once it listens.
//   node provider.js <port> <client_id> <client_secret> <redirect_uri> [auth_method]
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, authMethod] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: authMethod || 'client_secret_basic',
  }],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: `sub-${id}`, preferred_username: id, name: `User ${id}`,
          email: `${id}@example.com`, email_verified: true,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
  },
  // Profile claims in the ID token itself (twofold maps them from there).
  conformIdTokenClaims: false,
  pkce: { required: () => true, methods: ['S256'] },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
