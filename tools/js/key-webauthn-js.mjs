// The REFERENCE passkey auth method (npm @didtools/key-webauthn 2.0.2) with @didtools/cacao
// and did-session, exposed as `window.KeyWebauthnJS` for the passkey interop tests. Bundled
// by tools/build.py into .build/site/js/key-webauthn-js.js.
//
//   const { WebauthnAuth, DIDSession, Cacao } = window.KeyWebauthnJS;
//   const did = await WebauthnAuth.createDID("name");
//   const authMethod = await WebauthnAuth.getAuthMethod({ did });
//   const session = await DIDSession.authorize(authMethod, { resources: ["ceramic://*"] });
//   await Cacao.verify(session.cacao, { verifiers: WebauthnAuth.getVerifier() });

import { Cacao, CacaoBlock } from "@didtools/cacao";
import { WebauthnAuth } from "@didtools/key-webauthn";
import { DIDSession } from "did-session";

window.KeyWebauthnJS = Object.freeze({
  WebauthnAuth,
  Cacao,
  CacaoBlock,
  DIDSession,
  versions: Object.freeze({ "@didtools/key-webauthn": "2.0.2", "@didtools/cacao": "3.0.1" }),
});
