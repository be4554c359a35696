"""LLM analysis over any OpenAI-compatible endpoint (a cloud API, vLLM, Ollama, llama.cpp).

Ready prompts (files, versioned, editable; Russian and English) classify a comment, summarise
a topic, draft a reply with the right form of address and suggest what an operator may offer
beyond the script. Every text is masked before it leaves (:func:`mask_for_llm`); answers are
JSON validated by pydantic, retried when malformed, cached by content, prompt version and
model, and counted (tokens, cost, latency) per run. ``OTKLIK_LLM_ALLOW_SEND=false`` keeps
every text on this machine. See ``docs/llm.md``.
"""

from otklik.llm.assist import AssistResult, draft_reply, suggest_offer, summarize_topic
from otklik.llm.batch import LlmClassifyReport, classify_with_llm
from otklik.llm.cache import Cache, CachedAnswer, MemoryCache, StoreCache, cache_key
from otklik.llm.client import Answer, Failure, Job, LlmClient, Usage, make_http_client
from otklik.llm.errors import LlmError, LlmRefused
from otklik.llm.evaluate import evaluate_llm
from otklik.llm.labelling import LLM_CONFIDENCE, LlmLabeller, TextToClassify, classify_texts
from otklik.llm.privacy import LLM_PLACEHOLDERS, mask_for_llm
from otklik.llm.prompts import PROMPT_LANGUAGES, TASKS, Prompt, load_prompt
from otklik.llm.review import Proposal, accept_proposals, propose_labels
from otklik.llm.runs import recent_runs, record_run, run_failures
from otklik.llm.schemas import ClassifyAnswer, OfferAnswer, ReplyAnswer, SummaryAnswer
from otklik.llm.settings import LlmSettings, load_llm_settings

__all__ = [
    "LLM_CONFIDENCE",
    "LLM_PLACEHOLDERS",
    "PROMPT_LANGUAGES",
    "TASKS",
    "Answer",
    "AssistResult",
    "Cache",
    "CachedAnswer",
    "ClassifyAnswer",
    "Failure",
    "Job",
    "LlmClassifyReport",
    "LlmClient",
    "LlmError",
    "LlmLabeller",
    "LlmRefused",
    "LlmSettings",
    "MemoryCache",
    "OfferAnswer",
    "Prompt",
    "Proposal",
    "ReplyAnswer",
    "StoreCache",
    "SummaryAnswer",
    "TextToClassify",
    "Usage",
    "accept_proposals",
    "cache_key",
    "classify_texts",
    "classify_with_llm",
    "draft_reply",
    "evaluate_llm",
    "load_llm_settings",
    "load_prompt",
    "make_http_client",
    "mask_for_llm",
    "propose_labels",
    "recent_runs",
    "record_run",
    "run_failures",
    "suggest_offer",
    "summarize_topic",
]
