"""Scrapy's downloader with per-host concurrency that holds under the asyncio reactor.

Scrapy 2.19's ``Downloader._process_queue`` starts each download as an asyncio task and only
marks the request as transferring once the task runs. The loop that starts downloads checks
the free transfer slots before any of those tasks has run, so it drains the whole queue of a
host at once: ``CONCURRENT_REQUESTS_PER_DOMAIN`` = 2 let 30 requests hit one government server
at the same time (measured in ``bench/politeness.py``). Politeness is first-class here, so this
subclass reserves the transfer slot before the task is scheduled. ``Slot.transferring`` is a set:
the download adding the same request again is a no-op, and it still removes it when done.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return  # a delayed run of this queue is already planned
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # reserve the slot now, not when the task starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
