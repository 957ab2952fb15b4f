"""Record OpenAI calls as spans: wrap the client once, call it inside trace.run().

export OPENAI_API_KEY=sk-...   (and OPENAI_BASE_URL for a compatible server)
source .grounded/demo.env && python examples/openai_tracing.py
"""

from openai import OpenAI

from grounded import Grounded, Tracing, wrap_openai

openai = wrap_openai(OpenAI())
tracing = Tracing(Grounded())
with tracing.start_trace(session_id="openai-example").run():
    reply = openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hi"}])
    stream = openai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Count to 3"}], stream=True
    )
    print(reply.choices[0].message.content, "".join(c.choices[0].delta.content or "" for c in stream if c.choices))
tracing.flush()
