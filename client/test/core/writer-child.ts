// Child process for the crash test: writes clients through a desk as fast as it can and
// prints the id of every client whose create call returned (was acknowledged).
import { DeskCore } from "../../src/index.js"

const [dataDir, server] = process.argv.slice(2)
const desk = await DeskCore.open({
  dataDir: dataDir!,
  server,
  clinicId: "clinic-test",
  deskId: "desk-crash",
  deskCode: "C",
})
for (let i = 0; ; i++) {
  const { client } = await desk.call("clients.create", {
    name: `Клиент ${i}`,
    phone: `+7916${String(i).padStart(7, "0")}`,
  })
  process.stdout.write(`ACK ${client.id}\n`)
}
