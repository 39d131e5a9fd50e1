// The demo flow of the issue, used by the tests and the benchmark.
export const exampleFlow = {
  start: "welcome",
  nodes: [
    { id: "welcome", type: "message", content: { messages: [{ type: "text", text: "Hi! I'm the demo bot." }] }, connections: { default: "ask_name" } },
    { id: "ask_name", type: "question", content: { question: "What's your name?", input_type: "text", variable: "user.name", validation: { required: true, pattern: "^[a-zA-Z\\s]{2,50}$", error_message: "Please enter a valid name" } }, connections: { default: "ask_age" } },
    { id: "ask_age", type: "question", content: { question: "How old are you, {{user.name}}?", input_type: "number", variable: "user.age" }, connections: { default: "check_age" } },
    { id: "check_age", type: "condition", content: { conditions: [{ if: { ">=": [{ var: "user.age" }, 18] }, then: "adult" }], else: "young" } },
    { id: "adult", type: "message", content: { messages: [{ type: "text", text: "Welcome aboard, {{user.name}}." }] }, connections: { default: "done" } },
    { id: "young", type: "message", content: { messages: [{ type: "text", text: "Ask a grown-up to join you, {{user.name}}." }] }, connections: { default: "done" } },
    { id: "done", type: "end", content: {} },
  ],
};
