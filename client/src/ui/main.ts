import { mount } from "svelte"
import { connectDesk } from "./api/index.js"
import Root from "./Root.svelte"
import { i18n } from "./i18n/index.svelte.js"
import "./styles.css"

document.documentElement.lang = i18n.lang
const target = document.getElementById("app")
if (!target) throw new Error("#app is missing")
mount(Root, { target, props: { api: connectDesk() } })
