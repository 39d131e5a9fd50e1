/**
 * Words customers and help centres use for the same thing, in groups. The offline embedder adds
 * one shared feature for every word of a group (by stem, see english-words.ts), so "postage" meets
 * "delivery" and "warranty" meets "guarantee" without a language model. This is the kind of
 * synonym list a search engine is given for a shop's help centre: general retail and customer
 * service vocabulary (British and American), not any one shop's wording. Groups stay narrow on
 * purpose: a word that belongs to two topics ("order", "card", "account") is left out, since it
 * would pull unrelated passages together.
 */
export const customerServiceSynonyms: readonly (readonly string[])[] = [
  ["delivery", "deliver", "shipping", "ship", "postage", "post", "courier", "carriage", "dispatch", "despatch", "transit"],
  ["parcel", "package", "packet", "shipment", "consignment"],
  ["refund", "reimburse", "reimbursement", "repay", "repayment", "moneyback"],
  ["return", "sendback", "takeback", "bringback"],
  ["exchange", "swap", "replace", "replacement", "substitute"],
  ["warranty", "guarantee", "guaranteed"],
  ["faulty", "fault", "defective", "defect", "broken", "broke", "damaged", "damage", "smashed", "cracked", "shattered", "malfunction"],
  ["cost", "price", "fee", "howmuch", "pricing", "expense"],
  ["payment", "pay", "paid", "charge", "debit", "billed", "money", "funds", "transaction"],
  ["cheap", "cheaper", "cheapest", "lower", "less", "pricematch", "undercut"],
  ["discount", "promo", "promotion", "coupon", "voucher", "offer", "deal"],
  ["giftcard", "giftvoucher", "giftcertificate", "egift"],
  ["gift", "present"],
  ["loyalty", "reward", "rewards", "points", "club", "membership", "member", "scheme"],
  ["instalment", "instalments", "installment", "installments", "payinstalments", "paylater", "spreadcost", "finance", "klarna", "clearpay"],
  ["twice", "double", "duplicate", "twotimes"],
  ["password", "login", "logon", "signin", "passcode", "credentials"],
  ["verification", "authenticator", "2fa", "twofactor", "twostep", "security", "secure"],
  ["unsubscribe", "newsletter", "marketing", "optout", "spam", "mailing"],
  ["delete", "erase", "remove", "deactivate", "gdpr"],
  ["store", "shop", "branch", "showroom", "outlet"],
  ["open", "opening", "hours", "close", "closing"],
  ["phone", "telephone", "call", "ring", "helpline", "hotline"],
  ["email", "mail", "inbox"],
  ["chat", "livechat", "message", "messaging"],
  ["customs", "duty", "duties", "import", "tariff"],
  ["abroad", "international", "overseas", "worldwide", "outsideuk", "europe", "eu"],
  ["track", "tracking", "trace", "follow", "whereis"],
  ["missed", "notin", "nothome", "absent", "away", "redelivery", "redeliver"],
  ["collect", "collection", "pickup", "clickandcollect"],
  ["cancel", "cancellation", "cancelled"],
  ["business", "company", "corporate", "trade", "wholesale", "bulk", "commercial", "b2b"],
  ["student", "students", "university", "unidays", "studentbeans"],
  ["spare", "part", "parts", "sparepart", "accessory", "accessories"],
  ["recall", "recalled", "unsafe", "hazard"],
  ["recycle", "recyclable", "recycling", "recycled", "eco", "sustainable", "sustainability"],
  ["accessible", "accessibility", "wheelchair", "disabled", "disability", "stepfree"],
  ["parking", "park", "carpark"],
  ["class", "classes", "workshop", "course", "lesson", "event"],
  ["sharpen", "sharpening", "blunt", "dull"],
  ["rust", "rusty", "rusted"],
  ["invoice", "receipt", "vat", "bill"],
  ["expire", "expiry", "expiration", "valid", "validity"],
  ["balance", "remaining"],
  ["lost", "stolen", "misplaced"],
  ["birthday", "bday"],
  ["tomorrow", "nextday", "express", "urgent", "fast", "quick", "quickly"],
  ["colour", "color"],
  ["unused", "unopened", "unworn"],
];

/**
 * Two-word expressions that mean one of the words above, matched on neighbouring words (function
 * words skipped): "send it back" is "sendback", "how much" is "howmuch".
 */
export const customerServicePhrases: readonly (readonly [string, string, string])[] = [
  ["send", "back", "sendback"],
  ["take", "back", "takeback"],
  ["bring", "back", "bringback"],
  ["money", "back", "moneyback"],
  ["how", "much", "howmuch"],
  ["price", "match", "pricematch"],
  ["gift", "card", "giftcard"],
  ["gift", "voucher", "giftvoucher"],
  ["gift", "certificate", "giftcertificate"],
  ["two", "time", "twotimes"],
  ["sign", "in", "signin"],
  ["log", "in", "login"],
  ["opt", "out", "optout"],
  ["pick", "up", "pickup"],
  ["next", "day", "nextday"],
  ["pay", "later", "paylater"],
  ["spread", "cost", "spreadcost"],
  ["spread", "payment", "spreadcost"],
  ["not", "in", "notin"],
  ["not", "home", "nothome"],
  ["two", "step", "twostep"],
  ["two", "factor", "twofactor"],
  ["step", "free", "stepfree"],
  ["car", "park", "carpark"],
  ["spare", "part", "sparepart"],
  ["live", "chat", "livechat"],
  ["where", "is", "whereis"],
];
