/** The demo lead-capture flow with the CRM at its end: name, email, phone → contact → deal. */
export const crmLeadFlow = {
  start: "welcome",
  nodes: [
    { id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Hi! Let's get you in touch with sales." }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "What's your name?", input_type: "text", variable: "user.name" }, connections: { default: "ask_email" } },
    { id: "ask_email", type: "question", content: { question: "Your email?", input_type: "email", variable: "user.email" }, connections: { default: "ask_phone" } },
    { id: "ask_phone", type: "question", content: { question: "Your phone?", input_type: "phone", variable: "user.phone" }, connections: { default: "save_contact" } },
    { id: "save_contact", type: "crm", content: { operation: "upsert_contact", fields: { lead_source: "chatbot" }, store_contact_id: "user.crm_id" }, connections: { success: "save_deal", error: "failed" } },
    { id: "save_deal", type: "crm", content: { operation: "create_deal", deal: { name: "Website lead", amount: 1000 }, store_deal_id: "user.crm_deal_id" }, connections: { success: "thanks", error: "failed" } },
    { id: "thanks", type: "message", content: { messages: [{ type: "text", text: "Thanks {{user.name}}, you're in." }] }, connections: { default: "ask_more" } },
    { id: "ask_more", type: "question", content: { question: "Anything else, {{user.name}}?", input_type: "text", variable: "user.more" }, connections: { default: "bye" } },
    { id: "bye", type: "message", content: { messages: [{ type: "text", text: "Bye {{user.name}}." }] }, connections: { default: "end" } },
    { id: "failed", type: "message", content: { messages: [{ type: "text", text: "CRM error: {{session.crm_error}}" }] }, connections: { default: "end" } },
    { id: "end", type: "end", content: {} },
  ],
};
