"""The payments Lambda: approves every card except the test token ``tok_decline``."""

import uuid


def handler(event, context):
    if event["cardToken"] == "tok_decline":
        return {"status": "DECLINED", "reason": "card_declined"}
    return {
        "status": "APPROVED",
        "paymentId": f"pay_{uuid.uuid4().hex[:16]}",
        "amount": event["amount"],
    }
