"""The pages; each module registers its routes with ``scheduler.web.framework.page``."""
