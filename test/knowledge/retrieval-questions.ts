/**
 * Questions for the retrieval test, written the way customers type them into a chat box (their
 * own words, typos of thought, no headings), each with a phrase that occurs in exactly one passage
 * of fixtures/corpus: the passage that answers it.
 */
export type RetrievalQuestion = { question: string; expect: string };

export const retrievalQuestions: readonly RetrievalQuestion[] = [
  // returns-and-refunds.md
  { question: "I bought a lamp three weeks ago and changed my mind, is it too late to send it back?", expect: "within 30 days of the day they were delivered" },
  { question: "can I return a christmas present in january?", expect: "returned until 31 January" },
  { question: "do I need to keep the original box to return something?", expect: "in the original packaging" },
  { question: "how do I send an item back to you?", expect: "open the returns portal" },
  { question: "I don't have a printer, how can I print the return label?", expect: "the shop will print the label for you" },
  { question: "I sent my parcel back last week, when will I see the refund?", expect: "5 to 7 working days after we email you" },
  { question: "can I swap my towels for a different colour?", expect: "We do not do direct swaps" },
  { question: "can I return a duvet once it has been opened?", expect: "opened pillows, duvets and mattress toppers" },
  { question: "is returning an order free?", expect: "which we take off your refund" },
  { question: "my mug came smashed in the box, what do I do?", expect: "tell us within 48 hours of delivery and send photos" },
  { question: "someone gave me a gift I don't like, can I take it back without them knowing?", expect: "so the sender does not find out" },
  // delivery.md
  { question: "if I order today will it arrive tomorrow?", expect: "arrives the next working day when you order before 2pm" },
  { question: "how much is postage?", expect: "free on orders over £50 and costs £4.95" },
  { question: "do you deliver to Northern Ireland?", expect: "pay a £7 surcharge" },
  { question: "can I order from France? will I have to pay customs?", expect: "Import duties and local taxes" },
  { question: "where is my order? how can I track it?", expect: "a dispatch email with a link to follow it with DPD" },
  { question: "I missed the delivery driver, what happens now?", expect: "the driver leaves a card and tries again" },
  { question: "will the sofa be brought upstairs and will they take the packaging?", expect: "two-person team" },
  { question: "I typed the wrong address on my order, can I fix it?", expect: "for one hour after placing it" },
  { question: "can I pick my order up from a shop instead of having it delivered?", expect: "collect from any of our stores for free" },
  // payments-and-billing.md
  { question: "do you take amex or paypal?", expect: "We accept Visa, Mastercard and American Express" },
  { question: "can I spread the cost over a few months?", expect: "three interest-free payments" },
  { question: "why hasn't the money left my account yet?", expect: "the money is actually taken from your card when the order is dispatched" },
  { question: "I think I was charged two times for one order", expect: "pending authorisation from an earlier attempt" },
  { question: "I need an invoice with my company name for my accountant", expect: "company name and VAT number on the invoice" },
  { question: "can I use two promo codes on the same order?", expect: "Only one discount code can be used per order" },
  { question: "I found the same kettle for less at another shop, will you match it?", expect: "we will refund the difference" },
  { question: "are your prices in euros? is tax included?", expect: "prices are in pounds sterling and include VAT" },
  // your-account.md
  { question: "I can't remember my password", expect: "The link works for 30 minutes and only once" },
  { question: "how do I change the email on my account?", expect: "only takes effect when you click it" },
  { question: "please delete my account and all my data", expect: "erase your personal data under UK GDPR" },
  { question: "stop sending me newsletters", expect: "use the unsubscribe link" },
  { question: "how can I make my login more secure?", expect: "six-digit code from an authenticator app" },
  { question: "I checked out without an account, how do I find my order?", expect: "using the order number from your confirmation email" },
  { question: "what do I get if I sign up for an account?", expect: "Creating an account takes a minute" },
  // stores-and-contact.md
  { question: "is there a shop in Edinburgh?", expect: "Edinburgh (118 George Street)" },
  { question: "what time does the shop close on a sunday?", expect: "on Sunday from 11am to 5pm" },
  { question: "are you open on boxing day?", expect: "closed on Christmas Day, Boxing Day" },
  { question: "what's your phone number and when can I call?", expect: "0330 123 4567" },
  { question: "can I chat with someone online late at night?", expect: "Live chat is on our website from 8am to 10pm" },
  { question: "where can I park near the Bristol store?", expect: "Trenchard Street multi-storey" },
  { question: "is the store wheelchair accessible?", expect: "step-free access and a lift" },
  { question: "do you run cooking classes?", expect: "cookery workshops on Saturday mornings" },
  // warranty-and-care.md
  { question: "my toaster stopped working after a year, is it covered?", expect: "two-year guarantee from the date of delivery" },
  { question: "the handle on my frying pan is wobbly, it's 4 years old", expect: "if a handle works loose or a base warps" },
  { question: "I dropped my blender jug, will you replace it under warranty?", expect: "normal wear and tear, scratches, accidental damage" },
  { question: "how do I claim on the guarantee?", expect: "fill in the claim form on our website" },
  { question: "my cast iron skillet has gone rusty", expect: "scrub it off with steel wool and re-season" },
  { question: "do you sharpen knives?", expect: "sharpen it free of charge once a year" },
  { question: "I lost the lid of my casserole dish, can I buy a new one?", expect: "spare parts page" },
  { question: "is my kettle one of the recalled products?", expect: "recall notice on our safety page" },
  // club-and-gift-cards.md
  { question: "how does the loyalty scheme work?", expect: "every 100 points becomes a £5 voucher" },
  { question: "do club members get anything on their birthday?", expect: "£10 birthday voucher" },
  { question: "how much money is left on my gift card?", expect: "16-digit number and PIN" },
  { question: "does a gift voucher expire?", expect: "valid for 24 months" },
  { question: "I've lost my gift card, can you replace it?", expect: "issue a replacement for the remaining balance" },
  { question: "do you give discounts for bulk orders for our restaurant?", expect: "10% off orders over £500" },
  { question: "is there a student discount?", expect: "Students get 15% off" },
  { question: "is your packaging recyclable?", expect: "plastic-free and made from recycled cardboard" },
];

/**
 * Written after the offline embedder's lexicon and weights were settled (the questions above were
 * used while improving it), to see how it does on phrasings it was not adjusted for.
 */
export const heldOutQuestions: readonly RetrievalQuestion[] = [
  { question: "the rug I ordered doesn't suit the room, can I return it if I've put it down?", expect: "rugs must not have been laid on the floor" },
  { question: "which courier do you use for returns?", expect: "Drop the parcel at any Evri ParcelShop" },
  { question: "I paid with paypal, how quickly will my refund come through?", expect: "PayPal refunds are normally faster" },
  { question: "can you deliver on a saturday?", expect: "Saturday delivery can be chosen at checkout" },
  { question: "do you ship to America?", expect: "Norway, Switzerland and the United States" },
  { question: "do I have to be home for my sofa delivery, how do I know when it's coming?", expect: "two-hour slot the evening before" },
  { question: "can I pay by bank transfer?", expect: "we cannot take cheques, bank transfers or cash on delivery" },
  { question: "part of my order is out of stock, will I still pay for all of it?", expect: "you are only charged for what we send" },
  { question: "the reset email never came", expect: "check your spam folder" },
  { question: "is the shop open late any evening?", expect: "Late opening is on Thursdays" },
  { question: "how long do you take to answer emails?", expect: "we reply to emails within one working day" },
  { question: "can I put my cast iron pan in the dishwasher?", expect: "Never put it in the dishwasher" },
  { question: "does the warranty cover the glass jug of my coffee maker?", expect: "Batteries and glass jugs are covered for six months" },
  { question: "when do my loyalty points run out?", expect: "expire after 12 months without a purchase" },
  { question: "can I swap my gift card for cash?", expect: "exchange it for cash" },
  { question: "will you take my old kettle for recycling?", expect: "take back old pans and small electricals of any brand" },
];

