"""An agent's own data: their download of it (``download.py``), and what deleting an agent leaves behind —
their messages kept under "former agent", every copy of their name and photo taken out of the chats they
took part in, in batches that survive a crash (``forgetting.py``). docs/privacy.md, *Agents' data*."""
