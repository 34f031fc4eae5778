import { BRIDGE_ENV } from "@vetsync/bridge/config"
import { envList } from "@vetsync/shared/config"
import { RELAY_ENV } from "@vetsync/sync-server/config"

/** What `vetsync <command> --help` prints; one entry per command, subcommands inside. */
export const USAGE = {
  dev: `vetsync dev [--data-dir .vetsync] [--clinic demo] [--clients 2000] [--relay-port 8787] [--desk-port 4800] [--no-bridge]
  A relay, the bridge (embedded PostgreSQL unless DATABASE_URL is set) and one desk serving its UI,
  all on this machine under one data directory. A demo clinic is generated on the first run.`,
  server: `vetsync server
  The relay. Configured from the environment (a bad value stops it, naming the variable):
${envList(RELAY_ENV)}`,
  desk: `vetsync desk --data-dir DIR [--server ws://relay:8787/sync] [--enrol TOKEN] [--port 4800] [--host 127.0.0.1]
             [--clinic ID] [--desk-id ID] [--desk-code CODE] [--fiscal none|emulator|atol:URL]
             [--lan-port PORT] [--lan-peers HOST:PORT,...] [--lan-mdns on|off] [--lan-bootstrap-after SECONDS]
  A desk, headless, serving its UI and API to a browser on this machine. A desk that has not
  enrolled shows the first-run screen in that browser: staff enter the relay's address and the
  one-time token from \`vetsync desks add\`; the credential is kept in the data directory. An
  enrolled desk takes its clinic, desk id and desk code (its invoice numbers' prefix) from the
  credential, which the registry filled in.
  --server URL    the relay; the first-run screen starts with it (an enrolled desk uses the relay it enrolled at)
  --enrol TOKEN   enrols without the screen (headless desks): exchanges the token at --server once;
                  later starts need no token.
  --clinic ID, --desk-id ID
                  a development identity for a relay without a registry (no enrolment);
                  demo / desk-1 when --server names such a relay and neither is given.
  --desk-code CODE
                  the development identity's code in invoice numbers (default D1); an enrolled
                  desk's comes from its credential (a credential from before desk codes: this, or D1).
  --fiscal none|emulator|atol:URL
                  the desk's cash register (54-FZ; VETSYNC_FISCAL): none (default), the emulator
                  (journal in <data-dir>/fiscal-emulator.jsonl; what npm start uses), or ATOL's Driver 10
                  web server, e.g. atol:http://127.0.0.1:16732. Receipts wait in <data-dir>/fiscal.sqlite.
  --lan-port PORT, --lan-peers HOST:PORT,...
                  LAN sync with the clinic's other desks (off without --lan-port).
  --lan-bootstrap-after SECONDS
                  a new desk takes the clinic's snapshot from a LAN peer when the relay's has not come
                  within this many seconds (default 15).
  Each flag stands for a variable (the flag wins; a bad value stops the start, naming both):
  --data-dir VETSYNC_DATA_DIR, --server VETSYNC_SERVER, --clinic VETSYNC_CLINIC, --desk-id VETSYNC_DESK_ID,
  --desk-code VETSYNC_DESK_CODE, --fiscal VETSYNC_FISCAL, --lan-port VETSYNC_LAN_PORT,
  --lan-peers VETSYNC_LAN_PEERS, --lan-mdns VETSYNC_LAN_MDNS, --lan-bootstrap-after VETSYNC_LAN_BOOTSTRAP_AFTER,
  --port VETSYNC_DESK_PORT, --host VETSYNC_DESK_HOST, --enrol VETSYNC_ENROL_TOKEN
  (README.md, Configuration: each with its default and what it takes).`,
  bridge: `vetsync bridge
  The PostgreSQL bridge, with /health, /ready and /metrics on its operations server. Configured from
  the environment (a bad value stops it, naming the variable):
${envList(BRIDGE_ENV)}`,
  price: `vetsync price list --clinic ID
vetsync price set  --clinic ID --code CODE --price RUB [--name NAME] [--kind service|product] [--unit UNIT] [--inactive]
                   [--vat none|vat0|vat5|vat7|vat10|vat20|vat22]
  The price list (nomenclature) in PostgreSQL; a running bridge publishes it to the desks. --vat is the
  item's VAT rate on receipts (default none: veterinary services are commonly VAT-exempt).`,
  report: `vetsync report revenue --clinic ID --from YYYY-MM-DD --to YYYY-MM-DD [--by day|service|vet] [--basis accrual|cash] [--csv]
  The clinic's revenue for its days from..to (inclusive, in its time zone) from PostgreSQL: per day on
  issue (accrual) or by money taken minus refunds (cash); per service or per vet on issue.
vetsync report day --clinic ID --date YYYY-MM-DD [--desk ID] [--csv]
  The end-of-day cash report of a day of the clinic (its time zone) from PostgreSQL: sales and refunds
  by payment method, voids, cash in the drawer; a row per desk and the clinic's total (or one desk).`,
  import: `vetsync import --clinic ID
  Asks the running bridge to load an existing clinic's client and patient rows into its documents.`,
  clinics: `vetsync clinics add ID [--name NAME]
vetsync clinics list
vetsync clinics show ID
vetsync clinics set ID [--name NAME] [--legal-name TEXT] [--address TEXT] [--phone PHONE] [--tz ZONE]
                       [--inn INN] [--kpp KPP] [--ogrn OGRN] [--bank NAME] [--bik BIK] [--account NUMBER] [--corr-account NUMBER]
  The clinics of the registry (PostgreSQL: DATABASE_URL, else the embedded one in VETSYNC_DATA_DIR/pg).
  set: the clinic's profile, printed on its invoices and published to its desks by the bridge; only the
  fields given change ("" clears one). --tz is an IANA time zone (Europe/Moscow, Asia/Vladivostok): the
  clinic's days, months, invoice numbers and reports follow it (Europe/Moscow while none is set).
  INN, KPP, OGRN, BIK and accounts are checked with their control digits.`,
  desks: `vetsync desks add --clinic ID [--desk-id ID] [--code CODE] [--name NAME] [--ttl-hours 72]   prints a one-time enrolment token
vetsync desks list [--clinic ID]                                               desks with their codes, state and last sync
vetsync desks revoke DESK_ID                                                   cuts the desk off on every relay at once
  --code: the desk's code in its clinic, the prefix of its invoice numbers (a capital Latin letter, then
  up to 5 capitals or digits); default the first free one of D1, D2 ... A code is never given twice in a clinic.`,
  services: `vetsync services add NAME      a service credential (the bridge: VETSYNC_RELAY_CREDENTIAL); shown once
vetsync services revoke NAME`,
  staff: `vetsync staff add  --clinic ID --name NAME --role vet|reception|admin [--pin 1234] [--hours "1-5 09:00-18:00; 6 10:00-14:00"] [--id ID]
vetsync staff list --clinic ID
vetsync staff set  --clinic ID STAFF_ID [--name NAME] [--role ROLE] [--pin 1234] [--no-pin] [--hours TEXT] [--inactive | --active]
  The clinic's staff in PostgreSQL (DATABASE_URL, else the embedded one in VETSYNC_DATA_DIR/pg); the bridge
  publishes them to the desks. Vets are who appointments are booked with. --pin (4 to 8 digits) lets the member
  sign in at a desk; only its slow hash (scrypt) is stored. Once any active member has a PIN, desks refuse
  changes until someone signs in. --hours: weekdays (1 Monday … 7 Sunday, ranges 1-5, lists 1,3) and
  HH:MM-HH:MM spans, groups separated by ";". --inactive: the member has left (kept for history).`,
  seed: `vetsync seed --data-dir RELAY_DIR [--clinic demo] [--clients 61974] [--patients N]
  Writes a generated clinic into a relay's storage (demos and benchmarks); run it before the relay starts.`,
  backup: `vetsync backup --out DIR (--relay-data RELAY_DIR | --no-relay) [--no-postgres]
  A consistent copy of a running relay's documents and ownership map, and a pg_dump (custom format) of
  PostgreSQL (DATABASE_URL, else the embedded one in VETSYNC_DATA_DIR/pg, with the bridge stopped), with a
  manifest of versions and checksums. pg_dump comes from VETSYNC_PG_BIN, /usr/lib/postgresql/<newest>/bin
  or the PATH and must be at least as new as the server.`,
  restore: `vetsync restore --from DIR (--relay-data RELAY_DIR | --no-relay) [--no-postgres]
  Checks the whole backup first (manifest, every checksum, migrations this version knows) and refuses a
  damaged or mismatched one; then fills an empty relay directory (relay stopped) and an empty database.`,
  relay: `vetsync relay rebuild --relay-data NEW_RELAY_DIR (--from bridge-replica BRIDGE_DIR | --from postgres) [--clinic ID ...]
  Rebuilds a lost relay's data directory (new or empty): its documents from the bridge's replica (BRIDGE_DIR is
  the bridge's VETSYNC_DATA_DIR; the bridge may keep running) or from the relay's documents in PostgreSQL
  (automerge_chunks in DATABASE_URL, VETSYNC_RELAY_STORAGE=postgres), and its known clinics (ownership.json)
  from the registry in DATABASE_URL and --clinic. Snapshots and sync states are rebuilt by the relay itself.`,
} as const

export type CommandName = keyof typeof USAGE

export const isCommand = (s: string | undefined): s is CommandName => s !== undefined && s in USAGE

export const HELP = `vetsync — offline-first front desk for veterinary clinics

usage: vetsync <command> [options]     (vetsync <command> --help for its options)

${Object.values(USAGE).join("\n\n")}
`

/** True when the arguments ask for help (anywhere: `vetsync desks add --help` too). */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes("--help") || argv.includes("-h")

/** A mistake in the arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message)
    this.name = "UsageError"
  }
}
