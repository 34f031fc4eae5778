import "./Db.js" // its pg type parsers
import type { Db } from "./Db.js"

export interface RevenueDay {
  day: string
  invoices: number
  revenue_kopecks: number
}

export const revenuePerDay = async (db: Db, clinicId: string, from: string, to: string): Promise<RevenueDay[]> =>
  (
    await db.query<RevenueDay>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, invoices, revenue_kopecks FROM report_revenue_per_day
       WHERE clinic_id = $1 AND day >= $2::date AND day < $3::date ORDER BY day`,
      [clinicId, from, to],
    )
  ).rows

export const revenuePerService = async (
  db: Db,
  clinicId: string,
): Promise<{ code: string; name: string; quantity: string; revenue_kopecks: number }[]> =>
  (
    await db.query<{ code: string; name: string; quantity: string; revenue_kopecks: number }>(
      `SELECT code, name, quantity, revenue_kopecks FROM report_revenue_per_service
       WHERE clinic_id = $1 ORDER BY revenue_kopecks DESC, code`,
      [clinicId],
    )
  ).rows

export const revenuePerVet = async (
  db: Db,
  clinicId: string,
): Promise<{ vet: string; invoices: number; revenue_kopecks: number }[]> =>
  (
    await db.query<{ vet: string; invoices: number; revenue_kopecks: number }>(
      "SELECT vet, invoices, revenue_kopecks FROM report_revenue_per_vet WHERE clinic_id = $1 ORDER BY vet",
      [clinicId],
    )
  ).rows

export const appointmentsPerVetDay = async (
  db: Db,
  clinicId: string,
): Promise<{ vet: string; day: string; appointments: number; done: number; missed: number }[]> =>
  (
    await db.query<{ vet: string; day: string; appointments: number; done: number; missed: number }>(
      `SELECT vet, to_char(day, 'YYYY-MM-DD') AS day, appointments, done, missed
       FROM report_appointments_per_vet_day WHERE clinic_id = $1 ORDER BY day, vet`,
      [clinicId],
    )
  ).rows
