"""Socket.IO handlers for appointments: an agent offers a type in a chat; the widget asks for free slots
in its time zone and books one (in a chat, or the call back while nobody is online)."""

from __future__ import annotations

from wschat.accounts.context import AgentContext
from wschat.appointments.booking import Bookings
from wschat.appointments.changes import Changes
from wschat.appointments.models import BookingBody, OfferBody, SlotsQuery
from wschat.appointments.payloads import BookAck, SlotsAck, booked_wire
from wschat.boundary.protocol import Event
from wschat.boundary.sockets import Done, Events, visitor_limiter
from wschat.chat.conversations import ChatService
from wschat.visitors.context import VisitorContext

#: Slot questions per visitor and minute (paging through days), bookings per visitor and hour.
SLOT_QUESTIONS_PER_MINUTE = 30
BOOKINGS_PER_HOUR = 5


def register(agents: Events[AgentContext], visitors: Events[VisitorContext]) -> None:
    slots_limit = visitor_limiter(SLOT_QUESTIONS_PER_MINUTE, 60, "Too many questions. Please wait a moment.")
    book_limit = visitor_limiter(BOOKINGS_PER_HOUR, 3600, "Too many bookings. Please try again later.")

    @agents.on(Event.APPOINTMENT_OFFER, OfferBody)
    async def appointment_offer(ctx: AgentContext, p: OfferBody) -> Done:
        conversation = await ctx.get(ChatService).held_by(ctx.principal, p.conversation_id)
        await ctx.get(Changes).offer(ctx.principal, conversation, p.type_id)
        return {}

    @visitors.on(Event.APPOINTMENT_SLOTS, SlotsQuery)
    async def appointment_slots(ctx: VisitorContext, p: SlotsQuery) -> SlotsAck:
        slots_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        return await ctx.get(Bookings).slots(ctx.visitor.tenant_id, p)

    @visitors.on(Event.APPOINTMENT_BOOK, BookingBody)
    async def appointment_book(ctx: VisitorContext, p: BookingBody) -> BookAck:
        book_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        conversation = None
        if p.conversation_id is not None:
            conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        appointment = await ctx.get(Bookings).book_as_visitor(
            ctx.visitor.tenant_id, ctx.visitor.id, p, conversation
        )
        return {"appointment": booked_wire(appointment)}
