import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { runNetworkAdapterTests } from "@automerge/automerge-repo/helpers/tests/network-adapter-tests.js"
import { ResilientWebSocketClientAdapter } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { WebSocketServer } from "ws"
import { DevAuthenticator } from "../src/DevAuthenticator.js"
import { HardenedWebSocketServerAdapter } from "../src/HardenedWebSocketServerAdapter.js"
import { PeerIdBinding } from "./peerIdBinding.js"

const CLINIC = "acceptance"
const DESK = "peer"

/**
 * automerge-repo 2.5.6's own acceptance suite for network adapters
 * (@automerge/automerge-repo/helpers/tests/network-adapter-tests.js, imported unchanged), run
 * on our two WebSocket adapters over real sockets: two desks (ResilientWebSocketClientAdapter)
 * with the relay (HardenedWebSocketServerAdapter) between them, the arrangement automerge-repo
 * uses for its own WebSocket adapters ([client, server, client]).
 *
 * Where ours deliberately differ, only the setup is adapted:
 * - authentication at upgrade: the relay's adapter takes a socket only once it is authenticated
 *   (here by the development authenticator: clinic and desk in the upgrade's headers), as
 *   RelayServer does, and is handed it with its identity;
 * - peer ids bound to identity: every desk socket authenticates as desk `peer`, and
 *   PeerIdBinding maps the suite's bare peer names to `desk:peer:<name>` on the wire;
 * - readiness of the relay's network: the suite gives the desks a fixed 50 ms to join before
 *   the relay's repo looks for a document (upstream's TODO there: "let connections complete.
 *   this shouldn't be necessary"). On a loaded two-core machine a join takes 15-100 ms (more
 *   for a process's first), and the relay's repo then finds no peer and the document
 *   unavailable. So the setup's relay reports its network ready (what Repo.find waits for
 *   before it asks its peers) once a desk has joined and no other desk is still joining: the
 *   connections the pause stands for are complete. The desks wait up to 10 s (not 1 s) for
 *   the relay's answer before they report ready without it.
 */
runNetworkAdapterTests(async () => {
  const relay = new HardenedWebSocketServerAdapter()
  const authenticator = new DevAuthenticator()
  const wss = new WebSocketServer({ noServer: true })
  const server = http.createServer((_req, res) => res.writeHead(404).end())
  server.on("upgrade", (req: http.IncomingMessage, socket, head) => {
    const identity = authenticator.authenticate(req)
    if (!identity) return void socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n")
    wss.handleUpgrade(req, socket, head, ws => relay.accept(ws, identity))
  })
  await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve))
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`
  const desk = (): ResilientWebSocketClientAdapter =>
    new ResilientWebSocketClientAdapter(url, {
      headers: { "x-vetsync-clinic": CLINIC, "x-vetsync-desk": DESK },
      backoff: { minMs: 20, maxMs: 200 },
      // ready once the relay answered the join, or after this (1 s by default: a desk must work
      // offline); long enough that a slow join under load is not taken for an absent relay
      readyTimeoutMs: 10_000,
    })
  const [alice, bob] = [desk(), desk()]
  const desksJoined = async (): Promise<void> => {
    await eventually(
      "a desk to join the relay, and no other desk to be still joining",
      () => [alice, bob].some(d => d.state === "open") && ![alice, bob].some(d => d.state === "connecting"),
      10_000,
      { describe: () => `desk states ${alice.state}, ${bob.state}` },
    )
  }
  const teardown = (): void => {
    alice.disconnect()
    bob.disconnect()
    relay.disconnect()
    wss.close()
    server.closeAllConnections()
    server.close()
  }
  return {
    adapters: [
      new PeerIdBinding(alice, "desk", DESK),
      new PeerIdBinding(relay, "relay", DESK, desksJoined),
      new PeerIdBinding(bob, "desk", DESK),
    ],
    teardown,
  }
}, "ResilientWebSocketClientAdapter and HardenedWebSocketServerAdapter")
