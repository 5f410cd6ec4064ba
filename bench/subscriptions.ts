// Valid subscriber names in several scripts, with apostrophes, combining marks and emoji,
// so that a load run also checks that names are stored exactly as sent.
export const sampleNames: readonly string[] = [
  "Ursula Le Guin",
  "Zoë Ångström",
  "José Ñúñez-García",
  "Siobhán O'Sullivan",
  "李小龙",
  "Ренат Ильдарович",
  "Nguyễn Thị Minh Khai",
  "ʻIolani Kahananui",
  "Mae Jemison 👩🏽‍🚀",
  "Zoe\u0301 Combining",
];

// The urlencoded form body that the service's POST /subscriptions accepts.
export function formBody(name: string, email: string): string {
  return new URLSearchParams({ name, email }).toString();
}

export const formHeaders: Readonly<Record<string, string>> = {
  "content-type": "application/x-www-form-urlencoded",
};
